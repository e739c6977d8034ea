"""Speed of ``annotate serve`` in a real browser: key press -> screen update, with 1 and
with 10 sessions labelling at once.

Builds a database of ``--articles`` synthetic articles (``--claims`` claims each), gives
annotators s0..s9 their tokens, runs the real ``annotate serve`` (a process of its own,
on loopback) and opens each annotator's personal URL in headless chromium (Debian's,
driven by Playwright; its own browser context each). Then, round after round, every
session's page gets the key ``1`` (label attributed, show the next claim) at the same
moment, and the round waits until every page has updated its screen. In the page, an
init script notes the time of the keydown and of the first screen bytes the websocket
brings after it, and the second animation frame after those bytes (the screen painted).

Between key rounds every page also pings the server over its websocket (textual-serve's
ping/pong, answered by the server without the app): that round trip, under the same
load, is the baseline the key latency is given against (bytes/RTT).

Printed per session count: first screen (personal URL -> the app's first claim drawn,
median over the sessions), key -> screen bytes and key -> painted frame (median, p95
over every key of every session), the ping round trip (median) and the ratio, and the
resident memory of each app process (median). Figures are printed, never asserted.

    python benchmarks/serve_speed.py [--keys 40] [--sessions 1,10] [--articles 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # helpers.serve: the server process, the browser

from helpers.builders import add_article  # noqa: E402
from helpers.serve import Served, chromium, open_app, wait_until  # noqa: E402

from annotate.store import Store  # noqa: E402
from annotate.tui.serve.access import grant, personal_url  # noqa: E402

# Times, in the page's clock, of each key and of the screen's answer to it.
PROBE = """
(() => {
  const Native = window.WebSocket;
  window.__keys = []; window.__bytes = []; window.__paint = []; window.__rtt = [];
  const pings = {};
  let pending = null, socket = null, sent = 0;
  document.addEventListener("keydown", () => {
    pending = performance.now();
    window.__keys.push(pending);
  }, true);
  // The baseline: a websocket ping to the server and its pong, no app involved.
  window.__ping = () => {
    const id = String(1000000 + sent++);
    pings[id] = performance.now();
    socket.send(JSON.stringify(["ping", id]));
  };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      socket = this;
      this.addEventListener("message", (e) => {
        if (typeof e.data === "string") {
          const message = JSON.parse(e.data);
          if (message[0] === "pong" && message[1] in pings) {
            window.__rtt.push(performance.now() - pings[message[1]]);
            delete pings[message[1]];
          }
          return;
        }
        if (pending === null) return;
        const key = pending;
        pending = null;
        window.__bytes.push(performance.now() - key);
        requestAnimationFrame(() => requestAnimationFrame(() => {
          window.__paint.push(performance.now() - key);
        }));
      });
    }
  };
})();
"""


def build(db: Path, articles: int, claims: int, annotators: int) -> dict[str, str]:
    """A database of synthetic articles; annotator name -> token."""
    with Store.open(db) as store:
        for a in range(articles):
            add_article(
                store,
                f"a{a:03d}.txt",
                [
                    f"Officials in district {a} said on day {seq} that the budget for "
                    f"project {a * claims + seq} would grow, according to the minutes."
                    for seq in range(claims)
                ],
            )
        return {f"s{i}": grant(store, f"s{i}")[1] for i in range(annotators)}


def rss_mb(parent: int) -> list[float]:
    """Resident memory of each child process of ``parent`` (the app processes), in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(parent) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def run(browser, served: Served, secret: dict[str, str], sessions: int, keys: int) -> dict:
    contexts, pages, first = [], [], []
    for i in range(sessions):
        context = browser.new_context()
        context.add_init_script(PROBE)
        name = f"s{i}"
        start = time.perf_counter()
        page, _ = open_app(context, personal_url(served.url, name, secret[name]))
        first.append(time.perf_counter() - start)
        contexts.append(context)
        pages.append(page)
    time.sleep(1.0)  # let the apps finish their start-up work (progress counts)
    for round_ in range(keys):
        for page in pages:
            page.keyboard.press("1")
        before = [len(p.evaluate("window.__keys")) for p in pages]
        wait_until(
            lambda before=before: all(
                len(p.evaluate("window.__paint")) >= n for p, n in zip(pages, before, strict=True)
            ),
            timeout=30,
            what="every screen's update",
        )
        # Between the keys, every page pings the server at once: the same load.
        for page in pages:
            page.evaluate("window.__ping()")
        wait_until(
            lambda done=round_: all(len(p.evaluate("window.__rtt")) > done for p in pages),
            timeout=30,
            what="every pong",
        )
        time.sleep(0.05)
    to_bytes = [v for p in pages for v in p.evaluate("window.__bytes")]
    to_paint = [v for p in pages for v in p.evaluate("window.__paint")]
    rtt = [v for p in pages for v in p.evaluate("window.__rtt")]
    memory = rss_mb(served.process.pid)
    for context in contexts:
        context.close()
    return {
        "first": statistics.median(first),
        "bytes": (statistics.median(to_bytes), p95(to_bytes), len(to_bytes)),
        "paint": (statistics.median(to_paint), p95(to_paint)),
        "rtt": statistics.median(rtt),
        "rss": statistics.median(memory) if memory else float("nan"),
        "apps": len(memory),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=40, help="keys per session")
    parser.add_argument("--sessions", default="1,10", help="session counts, e.g. 1,10")
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--claims", type=int, default=30, help="claims per article")
    args = parser.parse_args()
    counts = [int(n) for n in args.sessions.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        secret = build(db, args.articles, args.claims, max(counts))
        with chromium() as browser:
            print(
                f"annotate serve: {args.articles * args.claims} claims, chromium "
                f"{browser.version} headless, loopback, {os.cpu_count()} CPU(s) with load "
                f"average {os.getloadavg()[0]:.1f}; {args.keys} keys per session"
            )
            print(
                f"{'sessions':>8}  {'first screen':>12}  {'key->bytes median/p95':>22}  "
                f"{'key->paint median/p95':>22}  {'ping RTT':>8}  {'bytes/RTT':>9}  "
                f"{'RSS per app':>11}"
            )
            for n in counts:
                # A fresh server per count (each annotator resumes where they were).
                with Served(db, "--max-sessions", str(max(counts))) as served:
                    r = run(browser, served, secret, n, args.keys)
                b_med, b_p95, samples = r["bytes"]
                w_med, w_p95 = r["paint"]
                print(
                    f"{n:>8}  {r['first']:>10.2f} s  {b_med:>9.1f} / {b_p95:>6.1f} ms  "
                    f"{w_med:>9.1f} / {w_p95:>6.1f} ms  {r['rtt']:>5.1f} ms  "
                    f"{b_med / r['rtt']:>8.1f}x  {r['rss']:>8.0f} MB"
                    f"   ({samples} keys, {r['apps']} app processes)"
                )
            print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
