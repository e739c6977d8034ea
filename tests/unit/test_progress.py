"""Progress in words: the pace over the current stretch of work, the share, time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from annotate.labelling.progress import percent, progress_text, rate_per_hour, time_left

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def ago(*seconds: float) -> list[str]:
    """ISO times (as history stores them) so many seconds before NOW, newest first."""
    return [(NOW - timedelta(seconds=s)).isoformat().replace("+00:00", "Z") for s in seconds]


def test_the_pace_counts_the_stretch_since_the_last_break():
    assert rate_per_hour(ago(0, 30, 60), NOW) == 120  # two gaps of 30 s
    # A break of more than ten minutes: the decisions before it do not count.
    assert rate_per_hour(ago(0, 30, 60, 2000, 2010, 2020), NOW) == 120
    assert rate_per_hour(ago(0, 30, 2000, 2010), NOW) is None  # two since the break: too few
    assert rate_per_hour(ago(700, 730, 760), NOW) is None  # on a break now
    assert rate_per_hour([], NOW) is None and rate_per_hour(["not a time"], NOW) is None
    assert rate_per_hour(ago(0, 0, 0), NOW) is None  # no time passed


def test_percent_never_says_done_before_it_is():
    assert [percent(*p) for p in [(16, 39), (12, 4200), (999, 1000), (5, 5), (0, 0)]] == [
        "41%",
        "0.2%",
        "99%",
        "100%",
        "0%",
    ]


def test_time_left_reads_in_minutes_hours_or_days():
    shown = [time_left(h) for h in (0.2, 0.001, 3.46, 100)]
    assert shown == ["~12 min", "~1 min", "~3.5 h", "~4 d"]
    assert time_left(0.2, short=True) == "~12m"


def test_progress_text_shortens_to_the_width_it_has():
    full = progress_text(16, 39, 120, 80)
    assert full == "16/39 labelled · 41% · 120/h · ~12 min left"
    assert progress_text(16, 39, 120, 40) == "16/39 · 41% · 120/h · ~12m left"
    assert progress_text(16, 39, 120, 20) == "16/39 · 41% · ~12m"
    assert progress_text(16, 39, 120, 3) == "16/39"  # never less than the counts
    assert progress_text(16, 39, None, 80) == "16/39 labelled · 41%"
    assert progress_text(39, 39, 120, 80) == "39/39 labelled · 100%"  # nothing left to time
    for width in range(len("1,234/4,200"), 60):
        assert len(progress_text(1_234, 4_200, 95.5, width)) <= width
