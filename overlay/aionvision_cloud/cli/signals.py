"""Signals: SIGTERM and SIGHUP (what ``timeout``, a CI cancel, ``docker stop`` or a closed
terminal send) end a command the way Ctrl-C does, with the exit code Unix gives a process ended
by that signal (128 + its number: 130, 143, 129).

``handling()`` is installed by ``main`` for the run; ``deferred()`` holds a signal while batches
are being sent, so the job ids the service is announcing are not lost mid-request: the command
stops once the sending is done, and a second signal stops it at once.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["Interrupted", "deferred", "handling"]


class Interrupted(KeyboardInterrupt):
    """A stop asked for by a signal. A ``KeyboardInterrupt``, so whatever already handles
    Ctrl-C (the wait, rich's live display, the journal's rollback) handles these alike."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum
        self.name = signal.Signals(signum).name


def _signals() -> list[int]:
    names = ("SIGINT", "SIGTERM", "SIGHUP")  # SIGHUP does not exist on Windows
    return [int(getattr(signal, n)) for n in names if hasattr(signal, n)]


_state: dict[str, Any] = {"depth": 0, "pending": None}


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state["depth"] > 0 and _state["pending"] is None:
        _state["pending"] = signum
        # os.write: print() from a signal handler can meet stderr's own lock.
        os.write(
            2,
            b"\nStopping once the batches being sent are acknowledged"
            b" (their job ids would be lost otherwise); signal again to stop now.\n",
        )
        return
    raise Interrupted(signum)


@contextmanager
def handling() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise ``Interrupted`` for the duration; the handlers before
    come back after. Signals can only be handled on the main thread: elsewhere, nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _handler) for s in _signals()}
    _state.update(depth=0, pending=None)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _state.update(depth=0, pending=None)


@contextmanager
def deferred() -> Iterator[None]:
    """A signal that arrives inside is acted on at its end (when the body did not fail)."""
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
    pending = _state["pending"]
    if pending is not None and _state["depth"] == 0:
        _state["pending"] = None
        raise Interrupted(pending)
