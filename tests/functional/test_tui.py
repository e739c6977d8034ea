"""The labelling app, driven through Pilot against a real temporary database.

Assertions are on the database (what an annotator's work leaves behind) and on app state;
the screen itself is checked by the snapshot tests.
"""

from __future__ import annotations

import gc
import threading

import pytest
from click.testing import CliRunner
from helpers.tui import (
    ARTICLES,
    WHO,
    app_for,
    claim_paragraphs,
    claim_plain,
    current,
    labels,
    pilot,
    rendered,
    save,
    settle,
    spy,
)
from rich.console import Console
from rich.text import Text

from annotate.cli import main
from annotate.labelling.config import ConfigError
from annotate.model import SENTENCE
from annotate.store import LabelState, Store, queue
from annotate.tui.screens import label as label_screen
from annotate.tui.widgets.claim import ArticleHeader, ClaimView, MessageLine, StatusBar


@pilot
async def test_label_through_an_article(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)  # the counters are read by a worker
        assert current(app) == "NASA's new administr"
        assert app.session.claims == 6 and app.session.labelled == 0
        await pilot.press("1", "2", "3", "2", "x")
        assert current(app) == "But bad weather push"  # on to the next article
        await pilot.press("1")
        assert app.session.labelled == 6
    assert labels(db) == {
        "NASA's new administr": ("attributed", None, 0),
        "The talks were the f": ("unattributed", None, 0),
        "Such talks could sig": ("editorial", None, 0),
        "Russia had plans to ": ("unattributed", None, 0),
        "PHOTO: REUTERS": ("not_claim", None, 0),
        "But bad weather push": ("attributed", None, 0),
    }


@pilot
async def test_each_decision_is_committed_before_the_next_claim_shows(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("3")
        # Another connection sees it while the app is still running: nothing is pending.
        assert labels(db) == {"NASA's new administr": ("editorial", None, 0)}
        assert current(app) == "The talks were the f"


@pilot
async def test_undo_is_repeatable_and_crosses_articles(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        assert not app.screen.check_action("undo", ())  # nothing to undo: dimmed
        await pilot.press("1", "1", "1", "1", "1", "2")  # last one in the second article
        assert len(labels(db)) == 6
        await pilot.press("u")
        assert current(app) == "But bad weather push"
        await pilot.press("ctrl+z")
        assert current(app) == "PHOTO: REUTERS"  # back in the first article
        await pilot.press("u")
        assert current(app) == "Russia had plans to "
        assert app.session.labelled == 3
        await pilot.press("2")  # relabel the undone claim
    assert labels(db)["Russia had plans to "] == ("unattributed", None, 0)
    assert labels(db)["PHOTO: REUTERS"] == (None, None, 0)
    with Store.open(db) as store:
        actions = [h["action"] for h in store.history(WHO)]
    assert actions[:4] == ["label", "undo", "undo", "undo"]


@pilot
async def test_note_is_saved_and_an_empty_note_clears_it(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("e")
        await pilot.press(*"quote?", "enter")
        assert labels(db) == {"NASA's new administr": (None, "quote?", 0)}
        assert app.session.state.note == "quote?"
        await pilot.press("e")
        assert app.screen.query_one("Input").value == "quote?"  # edits the existing note
        await pilot.press("escape")
        assert labels(db)["NASA's new administr"][1] == "quote?"  # cancelled: unchanged
        await pilot.press("e", *["backspace"] * 6, "enter")
    assert labels(db) == {"NASA's new administr": (None, None, 0)}


@pilot
async def test_flag_toggles_and_undo_restores_it(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("f")
        assert labels(db) == {"NASA's new administr": (None, None, 1)}
        await pilot.press("f")
        assert labels(db) == {"NASA's new administr": (None, None, 0)}
        await pilot.press("f", "1")
        await pilot.press("u", "u")
    assert labels(db) == {"NASA's new administr": (None, None, 0)}


@pilot
async def test_back_and_forward_do_not_label(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("right", "j")
        assert current(app) == "Such talks could sig"
        await pilot.press("left")
        assert current(app) == "The talks were the f"
        await pilot.press("k", "k")  # already at the first claim: stays
        assert current(app) == "NASA's new administr"
        await pilot.press("tab")  # next unlabelled
        assert current(app) == "The talks were the f"
    assert labels(db) == {}


@pilot
async def test_filter_makes_navigation_follow_it(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("1", "2", "1")  # three labelled; now on the fourth
        await pilot.press("F")
        await pilot.press("down", "down", "enter")  # all, unlabelled, attributed
        assert app.session.only == "attributed"
        assert current(app) == "NASA's new administr"  # wrapped to the first match
        await pilot.press("right")
        assert current(app) == "Such talks could sig"
        await pilot.press("right")  # no further attributed claim: stays
        assert current(app) == "Such talks could sig"
        await pilot.press("v")  # cycles on to unattributed
        assert app.session.only == "unattributed"
        assert current(app) == "The talks were the f"


@pilot
async def test_flagged_filter(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("right", "f", "right", "right", "f")
        await pilot.press("F", *["down"] * 6, "enter")
        assert app.session.only == "flagged"
        await pilot.press("left")
        await settle(app, pilot)  # a rare filter's walk runs in a worker
        assert current(app) == "The talks were the f"
        await pilot.press("1")  # with a filter set, a decision moves to the next match
        await settle(app, pilot)
        assert current(app) == "Russia had plans to "


@pilot
async def test_rare_filters_walk_in_a_worker_not_on_the_ui_thread(db, monkeypatch):
    monkeypatch.setattr(queue, "SELECTIVE", -1)  # more flagged rows than walked on their own
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("right", "f", "left")  # the second claim flagged; on the first
        walks = spy(monkeypatch, app.store, "step")
        await pilot.press("F", *["down"] * 6, "enter")  # flagged: the first does not match
        assert app.session.only == "flagged"
        await settle(app, pilot)
        assert current(app) == "The talks were the f"
        await pilot.press("right")  # no flagged claim after it: the worker says so
        await settle(app, pilot)
        assert current(app) == "The talks were the f"
        assert not app.label_screen.query_one(StatusBar).searching
        await pilot.press("2")  # a decision moves on through the worker too
        await settle(app, pilot)
        assert walks == []  # no walk on the UI thread's connection
        assert labels(db)["The talks were the f"] == ("unattributed", None, 1)
        await pilot.press("v")  # noted: nothing is; the annotator stays
        await settle(app, pilot)
        assert app.session.only == "noted" and current(app) == "The talks were the f"
        assert walks == []


@pilot
async def test_a_filter_few_claims_pass_moves_at_once_across_articles(db, monkeypatch):
    """Few flagged rows: the store walks them in one query on the UI thread, so the next
    match shows with the key (no worker, no "searching…"), in queue order across
    articles, with the same messages at either end."""
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("right", "f", *["right"] * 4, "f")  # the second and the last
        walks = spy(monkeypatch, app.store, "step")
        searches = spy(monkeypatch, app.label_screen, "search")
        await pilot.press("F", *["down"] * 6, "enter")  # flagged: the last one matches
        assert app.session.only == "flagged" and current(app) == "But bad weather push"
        await pilot.press("left")  # back into the first article
        assert current(app) == "The talks were the f"
        await pilot.press("left")
        assert current(app) == "The talks were the f"
        assert "This is the first flagged claim." in rendered(app, MessageLine)
        await pilot.press("1")  # a decision moves on to the next match
        assert current(app) == "But bad weather push"
        await pilot.press("right")
        assert "This is the last flagged claim." in rendered(app, MessageLine)
        await pilot.press("2")
        assert current(app) == "But bad weather push"
        assert "No more flagged claims after this one." in rendered(app, MessageLine)
        await pilot.press("v")  # noted: none is; the annotator stays, told so
        assert app.session.only == "noted" and current(app) == "But bad weather push"
        assert "No noted claims." in rendered(app, MessageLine)
        assert searches == [] and len(walks) == 7  # v: after the claim, then from the start
        assert not app.label_screen.query_one(StatusBar).searching
    assert labels(db)["The talks were the f"] == ("attributed", None, 1)


@pilot
async def test_searching_shows_while_a_worker_walks(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        screen = app.label_screen
        screen.search(lambda store: None, "")  # as a rare filter's walk starts
        assert "searching…" in rendered(app, StatusBar)
        await settle(app, pilot)
        assert "searching…" not in rendered(app, StatusBar)


@pilot
async def test_a_done_article_chosen_in_the_list_is_looked_up_alone(db, monkeypatch):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await pilot.press("1")  # station.txt is done
        await pilot.press("a")
        await settle(app, pilot)
        walks = spy(monkeypatch, app.store, "step")
        await pilot.press("down", "enter")
        assert current(app) == "But bad weather push"  # all done: its first claim
        assert walks == []  # the rest of the queue was not walked


@pilot
async def test_search_jumps_to_a_result(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("slash", *"spacex", "enter")
        await settle(app, pilot)
        await pilot.press("enter")
        assert current(app) == "But bad weather push"
        await pilot.press("3")
    assert labels(db) == {"But bad weather push": ("editorial", None, 0)}


@pilot
async def test_article_list_jumps_to_the_first_unlabelled_claim(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("down", "enter")
        assert current(app) == "But bad weather push"
        await pilot.press("1")  # that article is done; the queue wraps to the first one
        assert current(app) == "NASA's new administr"
        await pilot.press("a")
        await settle(app, pilot)
        assert app.screen.query_one("DataTable").cursor_row == 0  # on the current article
        await pilot.press("down", "enter")
        assert current(app) == "But bad weather push"  # all done: its first claim
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("up", "enter")
        assert current(app) == "NASA's new administr"


@pilot
async def test_quit_and_resume_in_a_new_app(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("1", "2", "left", "q")
    assert app.return_code == 0
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        # Resumes after the claim last worked on, not where the cursor was left.
        assert current(app) == "Such talks could sig"
        assert app.session.labelled == 2
    other = app_for(db, annotator="someone-else")
    async with other.run_test() as pilot:
        await settle(other, pilot)
        assert current(other) == "NASA's new administr"  # annotators keep separate labels
        assert other.session.labelled == 0


@pilot
async def test_resume_at_the_end_finds_earlier_unlabelled_claims(db):
    with Store.open(db) as store:
        claims = [u for a in ("space.txt", "station.txt") for u in store.units_of_article(a)]
        for u in claims[3:]:  # all but the first claim (after the title and a heading)
            if u["kind"] == SENTENCE:
                store.set_label(u["id"], WHO, "editorial")
    app = app_for(db)
    async with app.run_test() as pilot:
        # Nothing after the last claim worked on: a worker looks from the start.
        await settle(app, pilot)
        assert current(app) == "NASA's new administr"
        assert app.session.labelled == 5 and not app.session.complete
        await pilot.press("1")  # the last one: now known complete, walks no more
        assert app.session.complete and app.session.labelled == 6
        assert current(app) == "NASA's new administr"  # nowhere to go: stays
        await pilot.press("2", "u")  # relabel and undo it: still complete
        assert app.session.complete
        await pilot.press("u")  # unlabelled again
        assert not app.session.complete and app.session.labelled == 5


@pilot
async def test_a_decision_while_the_earlier_claims_are_looked_at_does_not_wrap_round(
    db, monkeypatch
):
    # Everything after the claim last worked on is labelled: a worker walks the earlier
    # claims. A decision made meanwhile must not make the same walk on the screen's thread.
    with Store.open(db) as store:
        claims = [u for a in ("space.txt", "station.txt") for u in store.units_of_article(a)]
        for u in claims[3:]:
            if u["kind"] == SENTENCE:
                store.set_label(u["id"], WHO, "editorial")
    walking = threading.Event()
    go_on = threading.Event()
    real = label_screen.first_unlabelled

    def held(*args, **kwargs):
        walking.set()
        go_on.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(label_screen, "first_unlabelled", held)
    app = app_for(db)
    async with app.run_test() as pilot:
        for _ in range(600):
            if walking.is_set():
                break
            await pilot.pause(0.01)
        assert walking.is_set() and app.session.check_earlier
        shown = current(app)
        steps = spy(monkeypatch, app.store, "step")
        await pilot.press("2")  # relabel the claim shown
        assert steps and all(call[0] >= 0 for call in steps)  # forward only, no wrap
        assert current(app) == shown and not app.session.complete
        assert "looking at the earlier ones" in rendered(app, MessageLine)
        go_on.set()
        await settle(app, pilot)
        assert current(app) == "NASA's new administr"  # the worker's find is shown
        assert not app.session.check_earlier and not app.session.complete


@pilot
async def test_decisions_made_while_counting_are_not_lost(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        claims, labelled, last = app.store.progress_snapshot(WHO)
        await pilot.press("1", "2", "u")  # made after that snapshot
        app.session.counted(claims, labelled, last)
        assert app.session.labelled == 1


@pilot
async def test_a_remapped_key_labels_and_the_old_key_does_not(db, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"label.attributed" = "a"\n"articles" = "l"\n')
    app = app_for(db, config=config)
    async with app.run_test() as pilot:
        await pilot.press("1")
        assert labels(db) == {}
        await pilot.press("a")
        assert labels(db) == {"NASA's new administr": ("attributed", None, 0)}
        assert "`a` | Attributed | `label.attributed`" in app.keys_markdown()


@pilot
async def test_the_default_config_file_is_read(db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "annotate").mkdir()
    (tmp_path / "annotate" / "config.toml").write_text('[keymap]\n"label.editorial" = "e,9"\n')
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("9")
    assert labels(db) == {"NASA's new administr": ("editorial", None, 0)}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[keymap]\n"label.attributed" = a\n', r"config\.toml: .*line 2"),
        ('[keymap]\n"label.atributed" = "a"\n', r"config\.toml: unknown binding id"),
        ('keymap = "x"\n', r"config\.toml: \[keymap\] must be a table"),
        (
            '[keymap]\n"label.attributed" = "a"\n"label.editorial" = "d,a"\n',
            r"config\.toml: key 'a' is mapped to both 'label.attributed' and 'label.editorial'",
        ),
        (
            '[keymap]\n"split.cancel" = "q"\n"split.confirm" = "q"\n',
            r"config\.toml: key 'q' is mapped to both 'split.cancel' and 'split.confirm'",
        ),
        # Values that are no key at all, and a remap that leaves a label without a key.
        ('[keymap]\n"label.attributed" = "notakey!!"\n', r"'notakey!!' .* is not a key name"),
        (
            '[keymap]\n"label.editorial" = "d,ctrl+shift+banana"\n',
            r"'ctrl\+shift\+banana' \(for 'label.editorial' in \[keymap\]\) is not a key name",
        ),
        ('[keymap]\n"label.attributed" = "2"\n', r"'label.unattributed' has no key left"),
    ],
)
def test_a_bad_config_file_is_one_clear_line(db, tmp_path, content, message):
    config = tmp_path / "config.toml"
    config.write_text(content)
    with pytest.raises(ConfigError, match=message):
        app_for(db, config=config)
    result = CliRunner().invoke(main, ["open", "--db", str(db), "--config", str(config)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ") and str(config) in line


def test_popup_binding_ids_are_the_ones_the_screens_declare():
    from textual.binding import Binding

    from annotate.tui.app import POPUP_BINDING_IDS
    from annotate.tui.screens import articles, filter, guidelines, note, search, split

    screens = [
        guidelines.GuidelinesScreen,
        articles.ArticlesScreen,
        search.SearchScreen,
        note.NoteScreen,
        filter.FilterScreen,
        split.SplitScreen,
    ]
    declared = {b.id for s in screens for b in Binding.make_bindings(s.BINDINGS) if b.id}
    assert declared == set(POPUP_BINDING_IDS)


def test_a_missing_explicit_config_file_is_an_error(db, tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        app_for(db, config=tmp_path / "nope.toml")


@pilot
async def test_corpus_text_is_shown_literally_never_as_markup(db_path):
    nasty = [
        "It was [bold red]X[/] and [link=https://e.com]click[/link] here.",
        "Escape \x1b[31mred\x1b[0m and a bell\x07 too.",
    ]
    with Store.open(db_path) as store:
        save(store, "[b]odd[/b].txt", "Title [i]x[/i]", ["[h]", nasty])
    app = app_for(db_path)
    async with app.run_test() as pilot:
        plain = claim_plain(app)
        assert nasty[0] in plain
        assert "Escape ␛[31mred␛[0m and a bell␇ too." in plain
        assert rendered(app, ArticleHeader) == "Title [i]x[/i]\n[b]odd[/b].txt · GCN\n§ [h]"
        await pilot.press("e", *"[bold]n[/]", "enter")
        assert "note: [bold]n[/]" in rendered(app, StatusBar)
        await pilot.press("slash", *"[link", "enter")
        await settle(app, pilot)
        option = app.screen.query_one("OptionList").get_option_at_index(0)
        assert str(option.prompt).endswith(f"\n{nasty[0]}")  # after its label and article


@pilot
async def test_claim_is_shown_inside_its_paragraph(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("right")
        # Between the paragraphs around it: the subheading above, the next one below.
        assert claim_paragraphs(app) == [
            "§ Dialogue is rekindled",
            "NASA's new administrator held a rare meeting with Russia's space chief, "
            "Roscosmos said. The talks were the first in-person meeting since 2018. "
            "Such talks could signal thawing relations.",
            "§ Divergent paths of the Moon",
            "Russia had plans to participate in Artemis. PHOTO: REUTERS",
        ]
        header = rendered(app, ArticleHeader).splitlines()
        assert header == [ARTICLES["space.txt"][0], "space.txt · GCN", "§ Dialogue is rekindled"]
        assert "claim 2 of 5 in this article" in rendered(app, StatusBar)


@pilot
async def test_an_empty_database_says_so(db_path):
    app = app_for(db_path)
    async with app.run_test() as pilot:
        assert app.session.unit is None
        assert "No claims" in claim_plain(app)
        await pilot.press("1", "u", "right")  # nothing to act on: nothing happens
    assert labels(db_path) == {}


@pilot
async def test_ingest_runs_in_a_worker_then_labelling(db_path, sample_corpus):
    pytest.importorskip("annotate.text.cleaning")
    app = app_for(db_path, corpus=sample_corpus)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert app.session.unit is not None
        with Store.open(db_path) as store:
            assert app.session.claims == store.claim_count() > 10
        first = app.session.unit.id
        await pilot.press("2")
    with Store.open(db_path) as store:
        assert store.label_state(first, WHO).label == "unattributed"
    # Again on the unchanged corpus: nothing re-done, the labelling resumes.
    app = app_for(db_path, corpus=sample_corpus)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert app.session.labelled == 1
        assert app.session.unit is not None and app.session.unit.id != first


def assign(db, plan: dict[str, list[str]]) -> None:
    """Store an assignment plan: annotator -> article paths."""
    with Store.open(db) as store:
        ids = {a.path: a.id for a in store.article_progress(WHO)}
        store.set_assignments((ids[p], who) for who, paths in plan.items() for p in paths)


@pilot
async def test_with_a_plan_the_queue_is_the_annotators_articles(db):
    assign(db, {"alice": ["station.txt"], "bob": ["space.txt", "station.txt"]})
    app = app_for(db, annotator="alice")
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert current(app) == "But bad weather push"
        assert app.session.claims == 1 and app.session.labelled == 0
        assert "0/1 labelled · 0% · alice · assigned: 1 article" in rendered(app, StatusBar)
        await pilot.press("left", "right")  # nothing of space.txt before or after it
        assert current(app) == "But bad weather push"
        await pilot.press("v")  # the unlabelled filter: still only her article
        await pilot.press("right")
        assert current(app) == "But bad weather push"
        await pilot.press("1")
        assert app.session.labelled == 1 and app.session.complete
        await pilot.press("n")
        assert current(app) == "But bad weather push"  # done: space.txt is not hers
        await pilot.press("a")
        await settle(app, pilot)
        assert [a.path for a in app.screen.articles] == ["station.txt"]
        await pilot.press("escape", "slash", *"NASA", "enter")
        await settle(app, pilot)
        assert app.screen.query_one("OptionList").option_count == 0
    assert labels(db, "alice") == {"But bad weather push": ("attributed", None, 0)}
    # Resuming recounts the same way (the counting worker).
    app = app_for(db, annotator="alice")
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert (app.session.labelled, app.session.claims) == (1, 1)
    bob = app_for(db, annotator="bob")
    async with bob.run_test() as pilot:
        await settle(bob, pilot)
        assert current(bob) == "NASA's new administr" and bob.session.claims == 6
        assert "assigned: 2 articles" in rendered(bob, StatusBar)


@pilot
async def test_without_a_plan_everyone_sees_every_article(db):
    app = app_for(db, annotator="alice")
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert current(app) == "NASA's new administr" and app.session.claims == 6
        assert app.session.assigned_articles is None
        assert "assigned" not in rendered(app, StatusBar)
        await pilot.press("a")
        await settle(app, pilot)
        assert len(app.screen.articles) == 2


@pilot
async def test_an_annotator_left_out_of_the_plan_is_told(db):
    assign(db, {"bob": ["space.txt"]})
    app = app_for(db, annotator="alice")
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert app.session.unit is None and app.session.claims == 0
        assert "No articles are assigned to you" in claim_plain(app)
        assert "assigned: 0 articles" in rendered(app, StatusBar)


@pilot
async def test_an_annotator_left_out_of_the_plan_is_told_after_ingest_too(db, tmp_path):
    pytest.importorskip("annotate.text.cleaning")
    assign(db, {"bob": ["space.txt"]})
    app = app_for(db, annotator="alice", corpus=small_corpus(tmp_path))
    async with app.run_test() as pilot:
        assert "No articles are assigned to you" in claim_plain(app)
        await settle(app, pilot)
        assert app._ingested and app.session.unit is None
        assert "No articles are assigned to you (annotate assign)" in claim_plain(app)
        assert "could be read" not in claim_plain(app)


def suggest(db, confidence: dict[str, float]) -> None:
    """Store a suggestion for each claim whose first 20 characters are a key."""
    with Store.open(db) as store:
        units = [u for a in ARTICLES for u in store.units_of_article(a)]
        store.save_suggestions(
            [
                {
                    "unit_id": u["id"],
                    "suggested_label": "unattributed",
                    "confidence": confidence[u["text"][:20]],
                    "reason": "test",
                    **dict.fromkeys(
                        ("cue", "cue_start", "cue_end", "source", "source_start"), None
                    ),
                    **dict.fromkeys(("source_end", "quote_of"), None),
                    "rules": "test",
                }
                for u in units
                if u["text"][:20] in confidence
            ]
        )


@pilot
async def test_next_unlabelled_can_follow_the_suggestion_confidence(db):
    suggest(
        db,
        {
            "NASA's new administr": 0.9,
            "The talks were the f": 0.5,
            "Such talks could sig": 0.7,
            "Russia had plans to ": 0.3,
            "But bad weather push": 0.6,
        },  # PHOTO: REUTERS has none: it comes last
    )
    app = app_for(db, order="confidence")
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert current(app) == "Russia had plans to "
        assert "least certain first" in rendered(app, StatusBar)
        await pilot.press("1")
        assert current(app) == "The talks were the f"
        await pilot.press("2", "q")
    app = app_for(db, order="confidence")  # resumes after the claim last worked on
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert current(app) == "But bad weather push"
        await pilot.press("left")  # back/forward follow the corpus
        assert current(app) == "PHOTO: REUTERS"
        await pilot.press("n")  # from a claim without a suggestion: from the start
        assert current(app) == "But bad weather push"
        await pilot.press("3", "3")
        assert current(app) == "NASA's new administr"
        await pilot.press("1")  # every suggested claim is labelled: the others follow
        assert current(app) == "PHOTO: REUTERS" and app.session.ranked_done
        await pilot.press("x")
        assert app.session.complete and app.session.labelled == 6
        await pilot.press("u")  # PHOTO unlabelled again
        await pilot.press("u")  # NASA too: the confidence walk is on again
        assert not app.session.ranked_done
        await pilot.press("n")
        assert current(app) == "NASA's new administr"
    assert labels(db)["Russia had plans to "] == ("attributed", None, 0)


def test_order_option_of_the_open_command(db):
    result = CliRunner().invoke(main, ["open", "--db", str(db), "--order", "certainty"])
    assert result.exit_code == 2 and "'corpus', 'confidence'" in result.output


EDITED = "NASA's new chief met Russia's space chief, Roscosmos said."


def edit_first_claim(db) -> None:
    """Store space.txt again with its first claim reworded, as ingest of an edited file
    would (from another connection, behind the app's back)."""
    title, blocks = ARTICLES["space.txt"]
    blocks = [blocks[0], [EDITED, *blocks[1][1:]], *blocks[2:]]
    with Store.open(db) as store:
        save(store, "space.txt", title, blocks)


@pilot
async def test_a_claim_replaced_on_disk_is_not_labelled_but_shown_anew(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        old = app.session.unit
        assert old is not None and current(app) == "NASA's new administr"
        await pilot.press("f")  # flagged, then its sentence goes away
        edit_first_claim(db)
        await pilot.press("1")
        assert app.store.label_state(old.id, WHO) == LabelState(flagged=True)  # no label
        assert labels(db) == {}
        assert current(app) == EDITED[:20]  # the current version, same place
        assert app.session.labelled == 0 and app.session.state.label is None
        await pilot.press("1")
        assert app.session.labelled == 1
        assert labels(db) == {EDITED[:20]: ("attributed", None, 0)}
        await pilot.press("u", "u")  # undo reaches the flag on the sentence that went away
        assert labels(db) == {EDITED[:20]: (None, None, 0)}
        assert not app.store.label_state(old.id, WHO).flagged
    with Store.open(db) as store:  # the flag's row stays, emptied; no label on it
        assert [(o.label, o.flagged) for o in store.orphan_labels()] == [(None, False)]


@pilot
async def test_a_flag_or_note_on_a_claim_replaced_on_disk_is_not_written(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        old = app.session.unit
        assert old is not None
        edit_first_claim(db)
        await pilot.press("f")
        assert app.store.label_state(old.id, WHO) == LabelState()  # nothing written
        assert current(app) == EDITED[:20]  # the current version shows instead
        await pilot.press("f")
        assert app.session.state.flagged


def test_the_store_refuses_a_label_for_a_unit_that_is_gone(db):
    from annotate.store import UnitGoneError

    with Store.open(db) as store:
        [old] = store.unit_ids_with_text("space.txt", ARTICLES["space.txt"][1][1][0])
        before = store.set_label(old, WHO, "editorial", must_exist=True)
        edit_first_claim(db)
        with pytest.raises(UnitGoneError, match="no longer exists"):
            store.set_label(old, WHO, "attributed", must_exist=True)
        assert store.label_state(old, WHO).label == "editorial"
        store.restore(old, WHO, before)  # undo still reaches it
        assert store.label_state(old, WHO).label is None


def small_corpus(tmp_path):
    """A corpus folder holding one short article, a.txt."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Ministers agree on new budget\n\nThe finance ministers met on Monday in Brussels, "
        "officials said. They agreed on a budget for the coming year.\n",
        encoding="utf-8",
    )
    return corpus


@pilot
async def test_ingest_of_the_article_on_screen_moves_to_its_current_version(tmp_path, db_path):
    pytest.importorskip("annotate.text.cleaning")
    from annotate.ingest import ingest

    corpus = small_corpus(tmp_path)
    article = corpus / "a.txt"
    with Store.open(db_path) as store:
        list(ingest(store, corpus))
    article.write_text(
        article.read_text(encoding="utf-8").replace("on Monday", "on Tuesday"), encoding="utf-8"
    )
    app = app_for(db_path, corpus=corpus)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert app.session.unit is not None
        assert app.store.unit(app.session.unit.id) is not None
        assert current(app) == "The finance minister"
        assert "on Tuesday" in app.session.unit.text
        await pilot.press("2")
        assert app.session.labelled == 1
    with Store.open(db_path) as store:
        assert store.orphan_labels() == [] and store.labelled_count(WHO) == 1


@pilot
async def test_the_claim_stays_in_view_on_a_small_terminal(db):
    app = app_for(db)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(app, pilot)
        view = app.label_screen.query_one(ClaimView)
        assert view.content_size.height >= 3
        plain = claim_plain(app)
        assert app.session.unit is not None and app.session.unit.text in plain  # whole
        assert len(Text(plain).wrap(Console(), view.content_size.width)) <= (
            view.content_size.height
        )


@pilot
async def test_a_claim_longer_than_its_space_ends_in_an_ellipsis(db):
    with Store.open(db) as store:
        save(store, "long.txt", "Long", [["word " * 120 + "end."]])
    app = app_for(db)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(app, pilot)
        await pilot.press(*["right"] * 6)
        assert current(app) == "word word word word "
        view = app.label_screen.query_one(ClaimView)
        lines = view.render().wrap(Console(), view.content_size.width)
        assert len(lines) == view.content_size.height
        assert lines[-1].plain.endswith("…") and "end." not in claim_plain(app)


@pilot
async def test_start_up_is_frozen_out_of_the_full_collections_while_the_app_runs(db):
    gc.unfreeze()
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert gc.get_freeze_count() > 0  # the styles and screens are not walked again
    assert gc.get_freeze_count() == 0  # let go when the app ends
