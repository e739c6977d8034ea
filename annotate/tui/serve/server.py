"""The web server of ``annotate serve``: login, one app process per browser session, the
limits, and the organiser's status page.

Pages and the websocket are aiohttp handlers; a session's app is textual-serve's
``AppService`` (Textual's web-driver protocol over the app's stdin/stdout), started with
an argument list (``python -m annotate open --db DB --annotator=NAME``), never a shell
string. The browser side is textual-serve's own script and stylesheet and its Roboto
Mono font, all served from the installed package: a page loads nothing from elsewhere
(the Content-Security-Policy says so to the browser too).

A visitor logs in with a name and a token (or, in ``open`` mode, a name only) and gets
a random session cookie; the server keeps who each cookie is in memory, so a restart
asks everyone to use their personal URL again. One live app per annotator: with
tokens a second tab takes the session over (the first one says so); in open mode,
where anyone may type any name, the second tab is refused.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import secrets
import shlex
import signal
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from annotate.store import ANNOTATOR, ORGANISER, Store, utc_now
from annotate.tui.serve import status
from annotate.tui.serve.access import BadName, check_name, check_token, token_hash

log = logging.getLogger("annotate.tui.serve")

COOKIE = "annotate_session"
STATIC = Path(textual_serve.__file__).parent / "static"
MODES = {"label": "labelling", "adjudicate": "adjudicating"}
# How long an app has to quit when its session ends before it is killed (seconds).
STOP_WAIT = 5.0


@dataclass(frozen=True)
class Options:
    """How ``annotate serve`` runs (the CLI's options)."""

    db_path: Path
    host: str = "127.0.0.1"
    port: int = 8000
    open_mode: bool = False
    max_sessions: int = 30
    idle_timeout: float = 30 * 60.0  # seconds without a key press; 0: never
    public_url: str | None = None
    config: Path | None = None  # the app's keymap config file
    font_size: int = 16


# How often a running session's token is checked again (seconds).
ACCESS_CHECK = 2.0


@dataclass(frozen=True)
class Visitor:
    """Who holds a session cookie: a name and what it may open."""

    name: str
    roles: frozenset[str]
    token_hash: str | None = None  # the token logged in with (None: open mode, no token)


@dataclass(eq=False)
class Live:
    """One browser session and its app process."""

    name: str
    mode: str
    tab: tuple[str, str]  # (session cookie, the page's own id)
    websocket: web.WebSocketResponse
    since: str = field(default_factory=utc_now)
    last_input: float = field(default_factory=time.monotonic)
    reason: str | None = None  # why the server ended it, for the page
    done: asyncio.Event = field(default_factory=asyncio.Event)
    token_hash: str | None = None  # the token its visitor logged in with (open mode: None)


class AppProcess(AppService):
    """textual-serve's app service, started from an argument list instead of a shell
    command line: nothing a visitor typed is ever parsed by a shell."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = argv

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def shut(self) -> None:
        """Ask the app to quit (it saves as it goes) and reap it; kill it if it hangs."""
        with suppress(asyncio.TimeoutError, ConnectionError):
            await asyncio.wait_for(self.stop(), STOP_WAIT)
        process = self._process
        if process is not None and process.returncode is None:
            with suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def base_url(options: Options, port: int | None = None) -> str:
    """Where browsers reach the server: ``--public-url``, or the address it binds."""
    if options.public_url:
        return options.public_url.rstrip("/")
    host = options.host
    with suppress(ValueError):
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    return f"http://{host}:{options.port if port is None else port}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Server:
    """The aiohttp application of ``annotate serve`` and the sessions it runs."""

    def __init__(self, options: Options, say: Callable[[str], None] = print) -> None:
        self.options = options
        self.say = say
        self.visitors: dict[str, Visitor] = {}  # session cookie -> who
        self.live: dict[str, Live] = {}  # annotator name (case-folded) -> session
        # (session cookie, tab) -> why the tab's session ended, for its page to say
        self.reasons: dict[tuple[str, str], str] = {}
        self.downloads = DownloadManager()
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("annotate.tui.serve", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.store: Store | None = None
        self._watch: asyncio.Task[None] | None = None

    # -- the application -------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._headers], client_max_size=64 * 1024)
        app.add_routes(
            [
                web.get("/", self.handle_app),
                web.get("/adjudicate", self.handle_app),
                web.get("/login", self.handle_login),
                web.post("/login", self.handle_login),
                web.post("/logout", self.handle_logout),
                web.get("/ws/{mode}/{tab}", self.handle_websocket),
                web.get("/why", self.handle_why),
                web.get("/status", self.handle_status),
                web.get("/status.json", self.handle_status),
                web.static("/static", STATIC, show_index=False),
            ]
        )
        app.on_startup.append(self._startup)
        app.on_shutdown.append(self._shutdown)
        return app

    async def _startup(self, app: web.Application) -> None:
        self.store = Store.open(self.options.db_path)
        self._watch = asyncio.create_task(self._watch_sessions())

    async def _shutdown(self, app: web.Application) -> None:
        if self._watch is not None:
            self._watch.cancel()
        sessions = list(self.live.values())
        for live in sessions:
            await self._end(live, "The server was stopped; your labels are saved.")
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(s.done.wait() for s in sessions)), STOP_WAIT + 1
            )
        if self.store is not None:
            self.store.close()

    @web.middleware
    async def _headers(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not self._host_allowed(request):
            return web.Response(status=421, text="This server is not known by that name.\n")
        response: web.StreamResponse = await handler(request)
        headers = response.headers
        # Everything comes from here: the browser refuses anything else.
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'nonce-{}'; style-src 'self' "
            "'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'".format(
                request.get("nonce", "-")
            ),
        )
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")
        return response

    def _host_allowed(self, request: web.Request) -> bool:
        """On a loopback address, only loopback names (and the public URL's host) are
        served: a web page elsewhere cannot reach the server by rebinding its own name."""
        if not _is_loopback(self.options.host):
            return True
        host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
        if _is_loopback(host):
            return True
        public = urlsplit(self.options.public_url or "").hostname
        return public is not None and host.strip("[]").lower() == public.lower()

    def _same_origin(self, request: web.Request) -> bool:
        """A form post or websocket from a page of this server (not another site's):
        the browser's Sec-Fetch-Site says so, or else its Origin. (A client that sends
        neither, like curl, is no browser another site could drive.)"""
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None:
            return site in ("same-origin", "none")
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        return urlsplit(origin).netloc.lower() in {
            request.host.lower(),
            urlsplit(self.options.public_url or "").netloc.lower(),
        }

    def _page(
        self, request: web.Request, template: str, status_code: int = 200, **context: Any
    ) -> web.Response:
        nonce = request.setdefault("nonce", secrets.token_urlsafe(16))
        text = self.templates.get_template(template).render(
            nonce=nonce, open_mode=self.options.open_mode, **context
        )
        return web.Response(text=text, status=status_code, content_type="text/html")

    # -- who is who ------------------------------------------------------------------

    def _visitor(self, request: web.Request) -> tuple[str | None, Visitor | None]:
        """The session cookie and who holds it, with the roles their token still has:
        a token replaced or removed (``--add-annotator``, ``--remove``) stops opening new
        sessions at once, the server need not be restarted."""
        sid = request.cookies.get(COOKIE)
        visitor = self.visitors.get(sid) if sid else None
        if visitor is None or visitor.token_hash is None:
            return sid, visitor
        assert self.store is not None
        roles = {
            role
            for role in visitor.roles
            if (found := self.store.access_hash(visitor.name, role)) is not None
            and hmac.compare_digest(found[1], visitor.token_hash)
        }
        if self.options.open_mode:
            roles.add(ANNOTATOR)
        return sid, Visitor(visitor.name, frozenset(roles), visitor.token_hash)

    def _login(self, name: str, token: str | None) -> Visitor | None:
        """The visitor these credentials make, or None."""
        assert self.store is not None
        if token is None or token == "":
            if not self.options.open_mode:
                return None
            return Visitor(check_name(name), frozenset({ANNOTATOR}))
        found = {
            role: check_token(self.store, name, token, role) for role in (ANNOTATOR, ORGANISER)
        }
        names = {n for n in found.values() if n is not None}
        if not names:
            return None
        roles = frozenset(role for role, n in found.items() if n is not None)
        if self.options.open_mode:
            roles |= {ANNOTATOR}
        return Visitor(names.pop(), roles, token_hash(token))

    async def handle_login(self, request: web.Request) -> web.StreamResponse:
        """The login page, and logging in: from the form (POST) or a personal URL (GET
        with name and token), which sets the session cookie and goes to the app or, for
        ``next=status``, the status page (the token leaves the address bar)."""
        if request.method == "POST":
            if not self._same_origin(request):
                raise web.HTTPForbidden(text="a login from another site is refused")
            form: Any = await request.post()
        else:
            form = request.query
        name = str(form.get("name", ""))
        token = form.get("token")
        token = None if token is None else str(token).strip()
        goal = "/status" if form.get("next") == "status" else "/"
        if request.method == "GET" and "name" not in form:
            return self._login_page(request, goal=goal)
        try:
            visitor = self._login(name, token)
        except BadName as e:
            return self._login_page(request, goal=goal, error=str(e), name=name, code=400)
        if visitor is None:
            error = "That name and token do not match." if token else "A token is needed."
            return self._login_page(request, goal=goal, error=error, name=name, code=401)
        sid = secrets.token_urlsafe(32)
        self.visitors[sid] = visitor
        response = web.HTTPSeeOther(goal)
        response.set_cookie(
            COOKIE,
            sid,
            httponly=True,
            samesite="Lax",
            path="/",
            secure=request.secure or request.headers.get("X-Forwarded-Proto") == "https",
        )
        self.say(f"{visitor.name} logged in ({', '.join(sorted(visitor.roles))})")
        return response

    def _login_page(
        self,
        request: web.Request,
        *,
        goal: str,
        error: str | None = None,
        name: str = "",
        code: int = 200,
    ) -> web.Response:
        return self._page(
            request,
            "login.html",
            status_code=code,
            error=error,
            name=name,
            next="status" if goal == "/status" else "",
            ask_token=not self.options.open_mode or goal == "/status",
        )

    async def handle_logout(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            raise web.HTTPForbidden()
        sid, _ = self._visitor(request)
        if sid:
            self.visitors.pop(sid, None)
        response = web.HTTPSeeOther("/login")
        response.del_cookie(COOKIE, path="/")
        return response

    def _may_label(self, visitor: Visitor | None) -> bool:
        return visitor is not None and ANNOTATOR in visitor.roles

    # -- the app ---------------------------------------------------------------------

    async def handle_app(self, request: web.Request) -> web.StreamResponse:
        """The labelling app's page (``/adjudicate``: the adjudication app's)."""
        sid, visitor = self._visitor(request)
        if visitor is None or not self._may_label(visitor):
            return self._login_page(request, goal="/")
        mode = "adjudicate" if request.path == "/adjudicate" else "label"
        refused = self._refusal(visitor)
        if refused:
            return self._page(request, "message.html", status_code=503, message=refused)
        return self._page(
            request,
            "app.html",
            name=visitor.name,
            mode=mode,
            doing=MODES[mode],
            font_size=self.options.font_size,
        )

    def _refusal(self, visitor: Visitor) -> str | None:
        """Why a new session for ``visitor`` cannot start now, or None."""
        key = visitor.name.casefold()
        if key in self.live:
            if self.options.open_mode:
                return (
                    f"{self.live[key].name} is already labelling in another tab or window. "
                    "Close that one first, or log in with your own name."
                )
            return None  # this tab takes the session over
        if len(self.live) >= self.options.max_sessions:
            return (
                f"All {self.options.max_sessions} sessions are in use. Try again in a few minutes."
            )
        return None

    def app_argv(self, name: str, mode: str) -> list[str]:
        """The app process of one session: an argument list, the name one argument."""
        argv = [
            sys.executable,
            "-m",
            "annotate",
            "open",
            f"--db={self.options.db_path}",
            f"--annotator={name}",
        ]
        if self.options.config is not None:
            argv.append(f"--config={self.options.config}")
        if mode == "adjudicate":
            argv.append("--adjudicate")
        return argv

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """A browser session: start its app, pass keys in and the screen out."""
        mode = request.match_info["mode"]
        sid, visitor = self._visitor(request)
        if mode not in MODES or not self._same_origin(request):
            raise web.HTTPForbidden()
        if sid is None or visitor is None or not self._may_label(visitor):
            raise web.HTTPForbidden()
        tab = (sid, request.match_info["tab"][:64])
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        key = visitor.name.casefold()
        while (old := self.live.get(key)) is not None and not self.options.open_mode:
            self.say(f"{visitor.name}: a new tab takes the session over")
            await self._end(old, "You opened this session in another tab or window.")
            await old.done.wait()
        refused = self._refusal(visitor)
        if refused:
            self.reasons[tab] = refused
            await websocket.close()
            return websocket
        live = Live(visitor.name, mode, tab, websocket, token_hash=visitor.token_hash)
        self.live[key] = live
        if len(self.reasons) > 10_000:  # pages long closed: forget the oldest half
            for old_tab in list(self.reasons)[:5_000]:
                del self.reasons[old_tab]
        # What the page says if the app ends by itself (the annotator quit it).
        self.reasons[tab] = "The app was closed; your labels are saved."
        service = AppProcess(
            self.app_argv(visitor.name, mode),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.downloads,
        )
        self.say(f"{visitor.name} started {MODES[mode]} ({len(self.live)} session(s))")
        try:
            width, height = _size(request.query)
            await service.start(width, height)
            await self._pump(websocket, service, live)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            await service.shut()
            with suppress(Exception):
                await websocket.close()
            if self.live.get(key) is live:
                del self.live[key]
            live.done.set()
            self.say(f"{visitor.name} ended ({len(self.live)} session(s))")
        return websocket

    async def _pump(
        self, websocket: web.WebSocketResponse, service: AppProcess, live: Live
    ) -> None:
        """The browser's messages to the app, as textual-serve's page sends them."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind = envelope[0]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and len(envelope) > 1 and isinstance(envelope[1], str):
                live.last_input = time.monotonic()
                await service.send_bytes(envelope[1].encode("utf-8", "replace"))
            elif kind == "resize" and len(envelope) > 1 and isinstance(envelope[1], dict):
                width, height = _size(envelope[1])
                await service.set_terminal_size(width, height)
            elif kind == "ping" and len(envelope) > 1:
                await websocket.send_json(["pong", str(envelope[1])[:32]])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _end(self, live: Live, reason: str) -> None:
        """Close a session, telling its page why first."""
        live.reason = self.reasons[live.tab] = reason
        with suppress(Exception):
            await live.websocket.close()

    def _revoked(self, live: Live) -> bool:
        """Whether the token ``live`` was opened with no longer lets its name label."""
        if live.token_hash is None:
            return False
        assert self.store is not None
        found = self.store.access_hash(live.name, ANNOTATOR)
        return found is None or not hmac.compare_digest(found[1], live.token_hash)

    async def _watch_sessions(self) -> None:
        """Close the sessions whose token was removed or replaced (within
        ``ACCESS_CHECK`` seconds), and those idle for longer than the timeout (their app
        quits; the labels are saved as they go)."""
        timeout = self.options.idle_timeout
        every = ACCESS_CHECK if timeout <= 0 else max(0.2, min(timeout / 4, ACCESS_CHECK))
        while True:
            await asyncio.sleep(every)
            now = time.monotonic()
            for live in list(self.live.values()):
                if live.reason is not None:
                    continue
                if self._revoked(live):
                    self.say(f"{live.name}: access removed, closing the session")
                    await self._end(
                        live,
                        "Your access was removed or replaced; your labels are saved. "
                        "Ask the organiser for your new link.",
                    )
                elif timeout > 0 and now - live.last_input > timeout:
                    self.say(f"{live.name}: closing the idle session")
                    await self._end(
                        live,
                        f"Closed after {_duration(timeout)} without a key press; your labels "
                        "are saved. Press Restart to go on.",
                    )

    async def handle_why(self, request: web.Request) -> web.StreamResponse:
        """Why this browser's last session ended (the page shows it)."""
        sid, _ = self._visitor(request)
        tab = (sid or "", request.query.get("tab", ""))
        reason = self.reasons.get(tab, "The session ended.")
        return web.json_response({"reason": reason})

    # -- the organiser's status page -------------------------------------------------

    def connected(self) -> list[status.Connected]:
        now = time.monotonic()
        return [
            status.Connected(s.name, s.mode, s.since, now - s.last_input)
            for s in sorted(self.live.values(), key=lambda s: s.name.casefold())
        ]

    async def handle_status(self, request: web.Request) -> web.StreamResponse:
        _, visitor = self._visitor(request)
        if visitor is None or ORGANISER not in visitor.roles:
            if request.path.endswith(".json"):
                raise web.HTTPUnauthorized(text="an organiser token is needed\n")
            return self._login_page(request, goal="/status", code=401)
        connected = self.connected()
        # Progress counts pass over the whole corpus: a thread with its own connection.
        loop = asyncio.get_running_loop()
        figures = await loop.run_in_executor(None, self._status, connected)
        if request.path.endswith(".json"):
            return web.json_response(figures.to_json())
        return self._page(
            request,
            "status.html",
            status=figures,
            report=figures.agreement,
            organiser=visitor.name,
            duration=_duration,
            max_sessions=self.options.max_sessions,
        )

    def _status(self, connected: list[status.Connected]) -> status.Status:
        with Store.open(self.options.db_path, readonly=True) as store:
            return status.collect(store, connected)

    # -- running ---------------------------------------------------------------------

    def run(self) -> None:
        """Serve until Ctrl-C or SIGTERM; every session's app is told to quit first."""
        asyncio.run(self._run())

    async def _run(self) -> None:
        runner = web.AppRunner(self.application(), handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.options.host, self.options.port)
        try:
            await site.start()
        except OSError as e:
            await runner.cleanup()
            raise ServeError(
                f"cannot listen on {self.options.host}:{self.options.port}: {e.strerror or e}"
            ) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        port = runner.addresses[0][1] if runner.addresses else self.options.port
        url = base_url(self.options, port)
        mode = "open: a name is enough" if self.options.open_mode else "tokens"
        self.say(f"Serving {self.options.db_path} on {url} ({mode}); Ctrl-C stops")
        try:
            await stop.wait()
        finally:
            self.say("Stopping: closing the sessions")
            await runner.cleanup()


class ServeError(Exception):
    """The server cannot start (the message says why)."""


def _size(values: Any) -> tuple[int, int]:
    """A terminal size from the browser, kept to sane bounds."""

    def number(key: str, default: int) -> int:
        try:
            return max(10, min(int(values.get(key, default)), 1000))
        except (TypeError, ValueError):
            return default

    return number("width", 80), number("height", 24)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
