"""`annotate serve` in a real browser: the server as a process of its own, Debian's
chromium driven by Playwright, and what the served app shows (read from its websocket).

Shared by tests/functional/test_serve_browser.py and benchmarks/serve_speed.py.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class BrowserUnavailable(Exception):
    """Chromium or Playwright cannot be used here (the message says why)."""


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium (Debian's, never a downloaded one) driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        raise BrowserUnavailable(f"playwright is not installed: {e}") from None
    if not Path(CHROMIUM).exists():
        raise BrowserUnavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as e:
            raise BrowserUnavailable(f"chromium cannot start: {e}") from None
        try:
            yield browser
        finally:
            browser.close()


def wait_until(check: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    """Poll ``check`` until it returns something true; AssertionError after ``timeout``."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(0.05)


class Served:
    """``annotate serve`` running as a process, on a free port of 127.0.0.1."""

    def __init__(self, db: Path, *args: str, cwd: Path | None = None) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "annotate", "serve", "--db", str(db), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=cwd,
        )
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(60) or not self.url:
            self.stop()
            raise AssertionError("annotate serve did not start:\n" + "".join(self.lines))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            found = re.search(r" on (http://\S+) ", line)
            if found and not self.url:
                self.url = found.group(1)
                self._ready.set()
        self._ready.set()

    @property
    def origin(self) -> str:
        return urlsplit(self.url).netloc

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


class Screen:
    """What a page's app has drawn so far: the text of its websocket's frames."""

    def __init__(self, page: Any) -> None:
        self.text = ""
        self.frames = 0
        self._lock = threading.Lock()
        page.on("websocket", self._watch)

    def _watch(self, websocket: Any) -> None:
        websocket.on("framereceived", self._frame)

    def _frame(self, payload: Any) -> None:
        if isinstance(payload, bytes):
            text = _ESCAPES.sub("", payload.decode("utf-8", "replace"))
            with self._lock:
                self.text += text
                self.frames += 1

    def mark(self) -> int:
        """Where the text is now (for ``wait_for(..., since=mark)``)."""
        return len(self.text)

    def wait_for(self, page: Any, words: str, since: int = 0, timeout: float = 90.0) -> None:
        """Wait until the app has drawn ``words`` (after position ``since``). The limit
        only guards against a hang: a session is a new app process, which a loaded
        2-core machine took over 30 s to start."""

        def drawn() -> bool:
            page.wait_for_timeout(50)  # lets Playwright deliver the frames
            return words in self.text[since:]

        wait_until(drawn, timeout, f"{words!r} on the screen")


def open_app(browser_context: Any, url: str) -> tuple[Any, Screen]:
    """A new page at ``url`` (a personal URL, or the app's page), once the app has drawn
    its progress line; keys typed then go to the app."""
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1200, "height": 760})
    screen = Screen(page)
    page.goto(url)
    screen.wait_for(page, "labelled")
    page.click(".xterm-screen")
    return page, screen


def press(page: Any, keys: Sequence[str]) -> None:
    for key in keys:
        page.keyboard.press(key)
