"""`annotate serve` end to end in a real browser: Debian's chromium driven by Playwright.

The server runs as its own process (`python -m annotate serve --port 0`); each test's
annotators open their personal URLs in their own browser contexts (their own cookies)
and press the app's keys. What the app drew is read from the page's websocket frames;
what was labelled, from the database. If the browser cannot start, the tests fail with
the reason in CI (CI=true) and are skipped with it elsewhere.
"""

from __future__ import annotations

import os
import sqlite3
from urllib.parse import urlsplit

import pytest
from helpers.serve import (
    BrowserUnavailable,
    Screen,
    Served,
    chromium,
    open_app,
    press,
    wait_until,
)
from helpers.tui import with_articles

from annotate.store import ORGANISER, Store
from annotate.tui.serve.access import grant, personal_url


@pytest.fixture(scope="module")
def browser():
    try:
        with chromium() as b:
            yield b
    except BrowserUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests need chromium: {e}")
        pytest.skip(f"no browser here: {e}")


def tokens(db, *names: str, role: str = "annotator") -> dict[str, str]:
    with Store.open(db) as store:
        return {n: grant(store, n, role)[1] for n in names}


def labels(db) -> dict[str, list[tuple[str, str]]]:
    """annotator -> [(unit text, label)] in queue order."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT l.annotator, u.text, l.label FROM labels l JOIN units u ON u.id = l.unit_id "
        "WHERE l.label IS NOT NULL ORDER BY l.annotator, u.pos"
    ).fetchall()
    conn.close()
    out: dict[str, list[tuple[str, str]]] = {}
    for who, text, label in rows:
        out.setdefault(who, []).append((text[:24], label))
    return out


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """A served database with annotators alice, bob, carol, dave and organiser olga."""
    db = with_articles(tmp_path_factory.mktemp("team") / "team.db")
    secret = tokens(db, "alice", "bob", "carol", "dave")
    secret |= {f"organiser:{n}": t for n, t in tokens(db, "olga", role=ORGANISER).items()}
    with Served(db) as served:
        yield db, served, secret


def url_of(served, secret, name, role="annotator"):
    key = name if role == "annotator" else f"{role}:{name}"
    return personal_url(served.url, name, secret[key], role)


def test_two_annotators_label_in_two_pages_under_their_own_names(browser, team):
    db, served, secret = team
    alice_context, bob_context = browser.new_context(), browser.new_context()
    alice, _ = open_app(alice_context, url_of(served, secret, "alice"))
    bob, _ = open_app(bob_context, url_of(served, secret, "bob"))
    press(alice, ["1"])
    press(bob, ["2", "3"])
    wait_until(
        lambda: len(labels(db).get("alice", [])) == 1 and len(labels(db).get("bob", [])) == 2,
        what="both annotators' labels",
    )
    stored = labels(db)
    assert stored["alice"] == [("NASA's new administrator", "attributed")]
    assert stored["bob"] == [
        ("NASA's new administrator", "unattributed"),
        ("The talks were the first", "editorial"),
    ]
    alice_context.close()
    bob_context.close()


def test_a_page_load_requests_nothing_outside_the_server(browser, team, tmp_path):
    _, served, secret = team
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("websocket", lambda w: requested.append(w.url))
    page.on("console", lambda m: requested.append(f"console {m.type}: {m.text}"))
    screen = Screen(page)
    page.goto(url_of(served, secret, "dave"))
    screen.wait_for(page, "labelled")
    page.wait_for_load_state("networkidle")
    hosts = {urlsplit(u).hostname for u in requested if not u.startswith("console")}
    assert hosts == {"127.0.0.1"}, requested
    assert any(u.startswith(f"ws://{served.origin}/ws/label/") for u in requested)
    assert any(u.endswith("RobotoMono-VariableFont_wght.ttf") for u in requested)
    # Nothing was refused by the Content-Security-Policy either (it would say so here).
    assert [m for m in requested if m.startswith("console error")] == []
    shot = tmp_path / "served_app.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000  # a drawn screen, not a blank page
    context.close()


def test_a_wrong_token_gets_the_login_page_and_no_app(browser, team):
    _, served, secret = team
    context = browser.new_context()
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda w: sockets.append(w.url))
    response = page.goto(personal_url(served.url, "alice", "not-the-token"))
    assert response.status == 401
    assert "do not match" in page.inner_text("#error")
    assert page.locator("#terminal").count() == 0
    page.goto(served.url + "/")  # no session: the login form again
    assert page.locator("form#login").count() == 1
    assert page.locator("#terminal").count() == 0
    assert sockets == []
    # The form with the right token opens the app.
    page.fill("#name", "carol")
    page.fill("#token", secret["carol"])
    screen = Screen(page)
    page.click("button[type=submit]")
    screen.wait_for(page, "carol")
    context.close()


def test_a_second_tab_takes_the_session_over_and_the_first_says_so(browser, team):
    db, served, secret = team
    context = browser.new_context()
    first, _ = open_app(context, url_of(served, secret, "carol"))
    second, _ = open_app(context, served.url + "/")
    wait_until(lambda: "another tab" in first.inner_text("#why"), what="the first tab's word")
    assert first.locator("body.-closed").count() == 1
    press(second, ["x"])
    wait_until(lambda: labels(db).get("carol") == [("NASA's new administrator", "not_claim")])
    context.close()


def test_removing_a_token_closes_the_session_already_open(browser, team):
    from click.testing import CliRunner

    from annotate.cli import main

    db, served, _ = team
    secret = tokens(db, "erin")
    context = browser.new_context()
    page, _ = open_app(context, personal_url(served.url, "erin", secret["erin"]))
    press(page, ["1"])
    wait_until(lambda: labels(db).get("erin") == [("NASA's new administrator", "attributed")])
    removed = CliRunner().invoke(main, ["serve", "--remove", "erin", "--db", str(db)])
    assert removed.output.strip() == "erin: token(s) removed"
    wait_until(lambda: "access was removed" in page.inner_text("#why"), what="the page's word")
    assert page.locator("body.-closed").count() == 1
    assert labels(db)["erin"] == [("NASA's new administrator", "attributed")]  # kept
    context.close()


def test_the_status_page_shows_who_is_connected_progress_and_agreement(browser, team):
    db, served, secret = team
    if not (labels(db).get("alice") and labels(db).get("bob")):  # run on its own
        with Store.open(db) as store:
            first = store.step(-1, "alice", only="unlabelled")
            assert first is not None
            store.set_label(first.id, "alice", "attributed")
            store.set_label(first.id, "bob", "unattributed")
    annotator = browser.new_context()
    open_app(annotator, url_of(served, secret, "bob"))
    # An annotator's session does not open the status page.
    assert annotator.new_page().goto(served.url + "/status").status == 401
    organiser = browser.new_context()
    status = organiser.new_page()
    status.goto(url_of(served, secret, "olga", ORGANISER))
    assert urlsplit(status.url).path == "/status"
    connected = status.inner_text("#connected")
    assert "bob" in connected and "labelling" in connected

    def progress_matches_the_database() -> bool:
        # A label from an earlier test's session may still be landing: read both again.
        status.reload()
        progress, stored = status.inner_text("#progress"), labels(db)
        return all(  # every annotator, labelled or not
            f"{name}\t{len(stored.get(name, []))}\t6\t" in progress
            for name in ("alice", "bob", "carol", "dave")
        )

    wait_until(progress_matches_the_database, what="each annotator's progress")
    assert "Cohen's kappa alice / bob" in status.inner_text("#agreement")
    annotator.close()
    organiser.close()


@pytest.fixture
def classroom(tmp_path):
    """An --open server with one session at most, idle after 3 s."""
    db = with_articles(tmp_path / "class.db")
    with Served(db, "--open", "--max-sessions", "1", "--idle-timeout", "0.05") as served:
        yield db, served


def test_open_mode_asks_only_for_a_name_and_limits_sessions(browser, classroom):
    db, served = classroom
    student = browser.new_context()
    page = student.new_page()
    page.goto(served.url + "/")
    assert page.locator("#token").count() == 0
    page.fill("#name", "rm -rf ~")
    page.click("button[type=submit]")
    assert "a name is letters" in page.inner_text("#error")
    page.fill("#name", "Zoé")
    screen = Screen(page)
    page.click("button[type=submit]")
    screen.wait_for(page, "Zoé")
    page.click(".xterm-screen")
    press(page, ["3"])
    wait_until(lambda: labels(db).get("Zoé") == [("NASA's new administrator", "editorial")])
    # One session at most: a second student is told to wait; the same name is refused.
    other = browser.new_context()
    refused = other.new_page()
    refused.goto(served.url + "/login?name=yann")
    assert "All 1 sessions are in use" in refused.inner_text("#message")
    # Three seconds without a key: the session closes and says why.
    wait_until(lambda: "without a key press" in page.inner_text("#why"), timeout=30)
    # Once its app has quit, the place is free.
    wait_until(
        lambda: refused.goto(served.url + "/") and refused.locator("#terminal").count() == 1,
        what="a free session",
    )
    student.close()
    other.close()
