"""Progress in words: how much is labelled, how fast, how long is left.

Pure Python (no Textual): the status line shows ``progress_text`` at the width it has.
The pace comes from the times of the annotator's last decisions (the decision strip's,
from ``history`` after a relaunch too), so it costs a few parsed times per redraw.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

# A longer gap between two decisions (seconds) is a break: the pace counts the decisions
# after the last one only, and none is shown while a break goes on.
BREAK = 600
# Fewer decisions than this in the current stretch give no pace.
MIN_DECISIONS = 3


def _when(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None


def rate_per_hour(times: Sequence[str], now: datetime | None = None) -> float | None:
    """Decisions per hour over the current stretch of work: the decisions at ``times``
    (ISO, UTC, newest first) back to the first break; None with too few of them, or
    while a break goes on (``now`` more than BREAK after the newest)."""
    stamps = [t for t in map(_when, times) if t is not None]
    if not stamps:
        return None
    now = now or datetime.now(UTC)
    if (now - stamps[0]).total_seconds() > BREAK:
        return None
    stretch = [stamps[0]]
    for t in stamps[1:]:
        if (stretch[-1] - t).total_seconds() > BREAK:
            break
        stretch.append(t)
    span = (stretch[0] - stretch[-1]).total_seconds()
    if len(stretch) < MIN_DECISIONS or span <= 0:
        return None
    return (len(stretch) - 1) * 3600 / span


def percent(done: int, total: int) -> str:
    """'41%', '0.3%' below 10 %, never 100 % before every claim is done."""
    if total <= 0:
        return "0%"
    share = 100 * done / total
    if done >= total:
        return "100%"
    if share < 10:
        return f"{int(share * 10) / 10:g}%"
    return f"{min(int(share), 99)}%"


def time_left(hours: float, short: bool = False) -> str:
    """'~12 min', '~3.5 h', '~2 d' ('~12m', '~3.5h', '~2d' when ``short``)."""
    minutes = hours * 60
    if minutes < 90:
        amount, unit = f"{max(round(minutes), 1)}", "min"
    elif hours < 48:
        amount, unit = f"{round(hours, 1):g}", "h"
    else:
        amount, unit = f"{round(hours / 24):g}", "d"
    return f"~{amount}{unit[0] if short else ' ' + unit}"


def progress_text(done: int, total: int, rate: float | None, width: int) -> str:
    """The progress at most ``width`` columns wide, as much of it as fits:
    '16/39 labelled · 41% · 120/h · ~12 min left', shortening to '16/39 · 41% · ~12m'
    and at last to '16/39'."""
    counts = f"{done:,}/{total:,}"
    share = percent(done, total)
    variants = [f"{counts} labelled · {share}", f"{counts} · {share}", counts]
    if rate and done < total:
        pace = f"{round(rate):,}/h"
        hours = (total - done) / rate
        variants = [
            f"{counts} labelled · {share} · {pace} · {time_left(hours)} left",
            f"{counts} · {share} · {pace} · {time_left(hours, True)} left",
            f"{counts} · {share} · {time_left(hours, True)} left",
            f"{counts} · {share} · {time_left(hours, True)}",
            *variants[1:],
        ]
    return next((v for v in variants if len(v) <= width), variants[-1])
