"""The fetcher's politeness: one request at a time per host, pauses, and robots.txt limits."""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

ROBOTS_AGENT = "storyfuse"
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least the first 500 KiB
ROBOTS_REDIRECTS = 5
ROBOTS_ERROR_TTL = 600.0


class Cancelled(Exception):
    """The fetcher was closed while a request waited or ran."""


@dataclass(frozen=True, slots=True)
class Robots:
    """A site's robots.txt rules, why they could not be read (if so), and until when they hold."""

    rules: urllib.robotparser.RobotFileParser
    problem: str | None
    expires: float


class HostGate:
    """One request at a time per host, and a pause between the end of one and the next."""

    def __init__(self, pause: Pause) -> None:
        self._pause = pause
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}

    @contextmanager
    def turn(self, host: str, delay: float) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            last = self._last.get(host)
            if last is not None:
                self._pause(last + delay - time.monotonic())
            try:
                yield
            finally:
                self._last[host] = time.monotonic()


class Pause:
    """Sleep that a closing fetcher interrupts."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop

    def __call__(self, seconds: float) -> None:
        if self._stop.is_set() or (seconds > 0 and self._stop.wait(seconds)):
            raise Cancelled
