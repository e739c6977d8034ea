"""What annotate asks of the operating system about other processes: whether one still
runs (for clean-up of what killed runs left behind), and the hold by which the app asks
a background writer (a retraining run) to leave it the database and the cores while it
handles a key."""

from __future__ import annotations

import os
import signal
import time


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


# The signals that ask a background writer to wait before its next write transaction and
# let it go on, and how long at most it waits (a key is handled and the screen redrawn in
# well under that). Both are ignored by default, so a process that has not listened yet
# is unharmed. A writer that had no chance to run between the two (stopped, or waiting
# for a core) has both pending at once: Linux delivers them, and Python runs their
# handlers, lowest number first, so the release (SIGWINCH, 28) is numbered above the hold
# (SIGURG, 23), or a key's hold would outlive its release. (SIGCONT, 18, the release
# before, came first.) A writer is never in a terminal's foreground process group, so no
# terminal sends it SIGWINCH.
HOLD = getattr(signal, "SIGURG", None)
RELEASE = getattr(signal, "SIGWINCH", None)
HOLD_MOST = 0.25


def release(pid: int) -> None:
    """Let a writer held by ``HOLD`` go on, and continue it if it was stopped."""
    try:
        if RELEASE is not None:
            os.kill(pid, RELEASE)
        os.kill(pid, signal.SIGCONT)
    except OSError:  # it has ended
        pass


class Waiting:
    """A background writer's side of the hold: ``HOLD`` marks when the app asked;
    ``wait``, called between transactions, waits until ``RELEASE`` or ``HOLD_MOST``.
    Made in the main thread (signal handlers are set there)."""

    def __init__(self) -> None:
        self.asked: float | None = None
        if HOLD is not None and RELEASE is not None:
            signal.signal(HOLD, self._asked)
            signal.signal(RELEASE, self._released)

    def _asked(self, signum: int, frame: object) -> None:
        self.asked = time.monotonic()

    def _released(self, signum: int, frame: object) -> None:
        self.asked = None

    def wait(self) -> None:
        while self.asked is not None and time.monotonic() - self.asked < HOLD_MOST:
            time.sleep(0.001)
        self.asked = None
