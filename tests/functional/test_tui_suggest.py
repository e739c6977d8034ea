"""Suggestions in the labelling screen through Pilot: cue and source highlighted in the
claim, one key accepts, the source is stored with an attributed label and can be corrected,
and "also in" names the same claim in another article."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.tui import WHO, app_for, current, pilot, rendered, settle, styled

from annotate.cli import main
from annotate.ingest import suggest_all
from annotate.model import SENTENCE
from annotate.store import Store
from annotate.suggest.cues import rules_version
from annotate.tui.app import default_keys
from annotate.tui.screens.label import LabelScreen
from annotate.tui.widgets.claim import SuggestionBar


@pytest.fixture
def suggested(db):
    with Store.open(db) as store:
        suggest_all(store)
    return db


def sources(db, annotator: str = WHO) -> dict[str, tuple]:
    """unit text -> (label, source)."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT u.text, l.label, l.source FROM labels l JOIN units u ON u.id = l.unit_id "
        "WHERE l.annotator = ? ORDER BY u.pos",
        (annotator,),
    ).fetchall()
    conn.close()
    return {r[0][:20]: (r[1], r[2]) for r in rows}


@pilot
async def test_cue_and_source_are_highlighted_and_the_suggestion_shown(suggested):
    app = app_for(suggested)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert styled(app, "claim-view--cue") == ["said"]
        assert styled(app, "claim-view--source") == ["Roscosmos"]
        bar = rendered(app, SuggestionBar).splitlines()
        assert bar[0].startswith("suggests: attributed 0.9")
        assert "“said”" in bar[0] and "“Roscosmos”" in bar[0] and "(s accepts)" in bar[0]
        assert bar[1] == "source: Roscosmos (detected)"


@pilot
async def test_accept_stores_the_suggested_label_and_source(suggested):
    app = app_for(suggested)
    async with app.run_test() as pilot:
        await pilot.press("s")  # attributed, Roscosmos
        await pilot.press("enter")  # "The talks were the first …": unattributed
        await pilot.press("2")  # a label by key: an unattributed label has no source
        await pilot.press("2", "x", "1")  # by key, attributed: the detected source too
    assert sources(suggested) == {
        "NASA's new administr": ("attributed", "Roscosmos"),
        "The talks were the f": ("unattributed", None),
        "Such talks could sig": ("unattributed", None),
        "Russia had plans to ": ("unattributed", None),
        "PHOTO: REUTERS": ("not_claim", None),
        "But bad weather push": ("attributed", "SpaceX"),
    }


@pilot
async def test_the_source_can_be_corrected_and_the_correction_undone(suggested):
    app = app_for(suggested)
    async with app.run_test() as pilot:
        await pilot.press("1", "left", "o")
        assert app.screen.query_one("Input").value == "Roscosmos"
        await pilot.press(*["backspace"] * 9, *"NASA", "enter")
        assert sources(suggested)["NASA's new administr"] == ("attributed", "NASA")
        assert current(app) == "NASA's new administr"  # a correction stays on the claim
        assert "source: NASA (stored, corrected)" in rendered(app, SuggestionBar)
        await pilot.press("2", "left", "1")  # relabelled: the detected source again
        assert sources(suggested)["NASA's new administr"] == ("attributed", "Roscosmos")
        await pilot.press("left", "o", "escape")  # cancelled: unchanged
        await pilot.press("o", *["backspace"] * 9, *"NASA", "enter", "u")
        assert sources(suggested)["NASA's new administr"] == ("attributed", "Roscosmos")
        # On an unlabelled claim, naming a source is labelling it attributed.
        await pilot.press("n", "o", *"the officials", "enter")
        assert current(app) == "Such talks could sig"
    assert sources(suggested)["The talks were the f"] == ("attributed", "the officials")
    with Store.open(suggested) as store:
        assert [h["action"] for h in store.history(WHO)][:3] == ["label", "undo", "source"]


@pilot
async def test_source_edit_is_dimmed_for_other_labels(suggested):
    app = app_for(suggested)
    async with app.run_test() as pilot:
        await pilot.press("3", "left")
        assert app.screen.check_action("edit_source", ()) is None
        await pilot.press("o")
        assert sources(suggested)["NASA's new administr"] == ("editorial", None)


@pilot
async def test_accept_is_dimmed_without_a_suggestion(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        assert app.screen.check_action("accept_suggestion", ()) is None
        await pilot.press("s", "enter")
        assert sources(db) == {}
        assert "no suggestion" in rendered(app, SuggestionBar)
        assert styled(app, "claim-view--cue") == []


@pilot
async def test_also_in_names_the_other_article_and_its_labels(suggested):
    with Store.open(suggested) as store:
        ids = {
            u["text"][:20]: u["id"]
            for path in ("space.txt", "station.txt")
            for u in store.units_of_article(path)
            if u["kind"] == SENTENCE
        }
        store.set_claim_groups({ids["NASA's new administr"]: "g", ids["But bad weather push"]: "g"})
        store.set_label(ids["But bad weather push"], "alice", "attributed")
        store.set_label(ids["But bad weather push"], "bob", "unattributed")
    app = app_for(suggested, show_others=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert rendered(app, SuggestionBar).splitlines()[2] == (
            "also in: station.txt — labelled attributed (alice); unattributed (bob)"
        )
        await pilot.press("right")  # not in a group: no line
        assert len(rendered(app, SuggestionBar).splitlines()) < 3


@pilot
async def test_blind_by_default_also_in_names_the_article_and_suggestion_only(suggested):
    with Store.open(suggested) as store:
        ids = {
            u["text"][:20]: u["id"]
            for path in ("space.txt", "station.txt")
            for u in store.units_of_article(path)
            if u["kind"] == SENTENCE
        }
        store.set_claim_groups({ids["NASA's new administr"]: "g", ids["But bad weather push"]: "g"})
        store.set_label(ids["But bad weather push"], "alice", "attributed")
    app = app_for(suggested)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        line = rendered(app, SuggestionBar).splitlines()[2]
        assert line.startswith("also in: station.txt — suggests ")
        assert "alice" not in line and "labelled" not in line


def test_the_cli_flag_shows_others_labels(monkeypatch, tmp_path):
    from annotate.tui import app as app_module

    made = {}

    def fake_make_app(**kw):
        made.update(kw)
        raise app_module.StoreError("stop here")

    monkeypatch.setattr(app_module, "make_app", fake_make_app)
    db = tmp_path / "t.db"
    CliRunner().invoke(main, ["open", "--db", str(db), "--show-others"])
    assert made["show_others"] is True
    CliRunner().invoke(main, ["open", "--db", str(db)])
    assert made["show_others"] is False


@pilot
async def test_a_continuing_quote_takes_its_source_from_an_earlier_sentence(suggested):
    with Store.open(suggested) as store:
        [first, second, *_] = [
            u for u in store.units_of_article("space.txt") if u["kind"] == SENTENCE
        ]
        s = store.suggestion(first["id"])
        assert s is not None and s.source == "Roscosmos"
        store.save_suggestions(
            [
                {
                    "unit_id": second["id"],
                    "suggested_label": "attributed",
                    "confidence": 0.8,
                    "reason": "continues the quote of Roscosmos",
                    "cue": None,
                    "cue_start": None,
                    "cue_end": None,
                    "source": "Roscosmos",
                    "source_start": s.source_start,
                    "source_end": s.source_end,
                    "quote_of": first["id"],
                    "rules": "test",
                }
            ]
        )
    app = app_for(suggested)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right")
        # The source is marked where it is, in the earlier sentence shown beside the claim.
        assert styled(app, "claim-view--source") == ["Roscosmos"]
        assert "source: Roscosmos (from an earlier sentence)" in rendered(app, SuggestionBar)
        await pilot.press("s")
    assert sources(suggested)["The talks were the f"] == ("attributed", "Roscosmos")


def stored(unit_id: str, source: str, quote_of: str | None) -> dict:
    """A suggestion row naming ``source`` without offsets."""
    keys = ("cue", "cue_start", "cue_end", "source_start", "source_end")
    row = {"unit_id": unit_id, "suggested_label": "attributed", "confidence": 0.75}
    return (
        row
        | dict.fromkeys(keys)
        | {"reason": "a quote", "source": source, "quote_of": quote_of, "rules": "test"}
    )


@pilot
async def test_a_quote_closed_later_takes_its_source_from_a_later_sentence(suggested):
    with Store.open(suggested) as store:
        [first, second, *_] = [
            u for u in store.units_of_article("space.txt") if u["kind"] == SENTENCE
        ]
        # The first sentence opens a quote whose speaker is named where it closes.
        store.save_suggestions(
            [
                stored(second["id"], "Roscosmos", None),
                stored(first["id"], "Roscosmos", second["id"]),
            ]
        )
    app = app_for(suggested)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        bar = rendered(app, SuggestionBar)
        assert "source: Roscosmos (from a later sentence)" in bar
        assert "earlier" not in bar


@pilot
async def test_ingest_in_the_app_computes_suggestions(db_path, sample_corpus):
    pytest.importorskip("annotate.text.cleaning")
    app = app_for(db_path, corpus=sample_corpus)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await settle(app, pilot)
        assert app.session.suggestion is not None
        assert "suggests:" in rendered(app, SuggestionBar)
    with Store.open(db_path) as store:
        assert store.articles_needing_suggestions(rules_version()) == []


def test_main_screen_with_a_suggestion(suggested, snap_compare):
    """Layout: cue and source marked in the claim, the suggestion, source and also-in lines."""
    with Store.open(suggested) as store:
        ids = [
            u["id"]
            for path in ("space.txt", "station.txt")
            for u in store.units_of_article(path)
            if u["kind"] == SENTENCE
        ]
        store.set_claim_groups({ids[0]: "g", ids[-1]: "g"})
        store.set_label(ids[-1], "alice", "unattributed")
    assert snap_compare(app_for(suggested), terminal_size=(100, 24))


@pilot
async def test_a_key_given_to_another_binding_leaves_accept_and_the_line_says_so(
    suggested, tmp_path
):
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"label.unattributed" = "s"\n')
    app = app_for(suggested, config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert "(⏎ accepts)" in rendered(app, SuggestionBar).splitlines()[0]
        assert "| `⏎` | Accept suggestion |" in app.keys_markdown()
        await pilot.press("s")  # labels unattributed, not the suggested attributed
        await pilot.press("enter")  # accepts
    assert sources(suggested) == {
        "NASA's new administr": ("unattributed", None),
        "The talks were the f": ("unattributed", None),
    }


@pilot
async def test_with_every_accept_key_taken_the_line_names_none(suggested, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"label.unattributed" = "s"\n"next" = "enter"\n')
    app = app_for(suggested, config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert "accepts" not in rendered(app, SuggestionBar)
        assert "| none | Accept suggestion |" in app.keys_markdown()
        await pilot.press("enter")  # next unlabelled, nothing labelled
        assert current(app) == "The talks were the f"
    assert sources(suggested) == {}


def test_the_readme_keymap_example_takes_no_key_from_another_binding(db, tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "docs" / "guide.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n[keymap]\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "config.toml"
    config.write_text("[keymap]\n" + example)
    app = app_for(db, config=config)
    defaults = default_keys(LabelScreen)
    # Every binding keeps its default keys, apart from those the example remaps.
    assert {i: k for i, k in app.label_keys.items() if i not in app.keymap_config} == {
        i: k for i, k in defaults.items() if i not in app.keymap_config
    }
    assert app.label_keys["label.accept_suggestion"] == "s,enter"
