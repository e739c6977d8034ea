"""`annotate serve` without a browser: managing tokens from the CLI, and the server's
HTTP answers (login, limits of who may do what, headers) over plain HTTP."""

from __future__ import annotations

import http.client
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from helpers.serve import Served
from helpers.tui import with_articles

from annotate.cli import main
from annotate.store import Store
from annotate.tui.serve.server import Options, Server

TEMPLATES = Path(__file__).resolve().parents[2] / "annotate" / "tui" / "serve" / "templates"


def serve(*args: str):
    return CliRunner().invoke(main, ["serve", *args])


def test_add_annotator_prints_a_personal_url_and_stores_only_a_hash(db_path):
    result = serve("--add-annotator", "alice", "--add-reviewer", "bob", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    urls = dict(re.findall(r"^(\w+) \(annotator added\): (\S+)$", result.output, re.M))
    assert set(urls) == {"alice", "bob"}
    parts = urlsplit(urls["alice"])
    assert (parts.netloc, parts.path) == ("127.0.0.1:8000", "/login")
    token = parts.query.split("token=")[1]
    assert token.encode() not in db_path.read_bytes()
    organiser = serve("--add-organiser", "olga", "--db", str(db_path), "--port", "9000")
    assert re.search(r"^olga \(organiser added\): http://127.0.0.1:9000/login\?.*next=status$",
                     organiser.output, re.M)  # fmt: skip
    again = serve("--add-annotator", "Alice", "--db", str(db_path))
    assert again.output.startswith("alice (new token): http://")


def test_the_public_url_is_used_for_personal_urls(db_path):
    public = "https://label.example.org"
    result = serve("--add-annotator", "alice", "--public-url", public, "--db", str(db_path))
    assert "alice (annotator added): https://label.example.org/login?name=alice&token=" in (
        result.output
    )
    bad = serve("--add-annotator", "alice", "--public-url", "label.example.org")
    assert bad.exit_code == 2 and "http:// or https://" in bad.output


def test_a_bad_name_is_one_line_and_nothing_is_stored(db_path):
    result = serve("--add-annotator", "x;rm -rf ~", "--db", str(db_path))
    assert result.exit_code == 1
    assert result.output.startswith("Error: x;rm -rf ~: a name is letters")
    assert "Traceback" not in result.output
    with Store.open(db_path) as store:
        assert store.access_names("annotator") == []


def test_remove_takes_the_tokens_away(db_path):
    serve("--add-annotator", "alice", "--add-organiser", "alice", "--db", str(db_path))
    result = serve("--remove", "alice", "--remove", "zed", "--db", str(db_path))
    assert result.output.splitlines() == ["alice: token(s) removed", "zed: had no token"]
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM access").fetchone() == (0,)


def test_the_app_process_gets_the_name_as_one_argument(tmp_path):
    server = Server(Options(db_path=tmp_path / "t.db", config=tmp_path / "keys.toml"))
    argv = server.app_argv("Zoé", "adjudicate")
    assert argv[1:] == [
        "-m",
        "annotate",
        "open",
        f"--db={tmp_path / 't.db'}",
        "--annotator=Zoé",
        f"--config={tmp_path / 'keys.toml'}",
        "--adjudicate",
    ]


def test_the_pages_name_nothing_outside_the_server():
    for template in TEMPLATES.iterdir():
        text = template.read_text(encoding="utf-8")
        assert "://" not in text, template.name
        assert "googleapis" not in text


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    db = with_articles(tmp_path_factory.mktemp("serve") / "team.db")
    added = CliRunner().invoke(main, ["serve", "--add-annotator", "alice", "--db", str(db)])
    with Served(db, "--idle-timeout", "0") as s:
        s.alice_token = added.output.split("token=")[1].strip()
        yield s


def request(served, method: str, path: str, headers=None, body: str | None = None):
    host, port = served.origin.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response, text


def test_every_page_says_load_nothing_from_elsewhere(served):
    response, text = request(served, "GET", "/")
    assert response.status == 200 and 'id="login"' in text  # no session: the login page
    policy = response.getheader("Content-Security-Policy")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Cache-Control") == "no-store"


def test_another_host_name_is_refused_on_a_loopback_address(served):
    response, _ = request(served, "GET", "/", headers={"Host": "attacker.example:80"})
    assert response.status == 421


def test_a_login_posted_from_another_site_is_refused(served):
    form = "name=alice&token=whatever"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site"}
    response, _ = request(served, "POST", "/login", headers=headers, body=form)
    assert response.status == 403


def test_a_wrong_token_sets_no_cookie(served):
    response, text = request(served, "GET", "/login?name=alice&token=wrong")
    assert response.status == 401 and "do not match" in text
    assert response.getheader("Set-Cookie") is None
    response, text = request(served, "GET", "/login?name=alice")
    assert response.status == 401 and "A token is needed" in text


def test_a_personal_url_logs_in_once_and_opens_either_app(served):
    response, _ = request(served, "GET", f"/login?name=alice&token={served.alice_token}")
    assert response.status == 303 and response.getheader("Location") == "/"
    cookie = response.getheader("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    session = {"Cookie": cookie.split(";")[0]}
    _, page = request(served, "GET", "/", headers=session)
    assert 'id="terminal"' in page and '"/ws/label/"' in page
    _, page = request(served, "GET", "/adjudicate", headers=session)
    assert '"/ws/adjudicate/"' in page
    response, _ = request(served, "GET", "/status.json", headers=session)
    assert response.status == 401  # an annotator is no organiser
    response, _ = request(served, "POST", "/logout", headers=session)
    assert response.status == 303
    _, page = request(served, "GET", "/", headers=session)
    assert 'id="login"' in page


def test_without_a_session_no_app_and_no_status(served):
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
    response, _ = request(served, "GET", "/ws/label/x", headers=upgrade)
    assert response.status == 403
    response, _ = request(served, "GET", "/status.json")
    assert response.status == 401
    response, text = request(served, "GET", "/status")
    assert response.status == 401 and "Organiser" in text


def test_a_replaced_or_removed_token_stops_opening_the_app_at_once(served):
    db = served.process.args[5]  # the --db of the running server
    added = serve("--add-annotator", "rita", "--db", db)
    response, _ = request(served, "GET", "/login?" + added.output.split("?")[1].strip())
    session = {"Cookie": response.getheader("Set-Cookie").split(";")[0]}
    assert 'id="terminal"' in request(served, "GET", "/", headers=session)[1]
    serve("--add-annotator", "rita", "--db", db)  # a new token: the old one is void
    assert 'id="login"' in request(served, "GET", "/", headers=session)[1]


def test_sigterm_stops_the_server_cleanly(tmp_path):
    db = with_articles(tmp_path / "t.db")
    served = Served(db)
    assert served.stop() == 0
    assert "Stopping" in "".join(served.lines)
