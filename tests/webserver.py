"""A real HTTP server on 127.0.0.1 for the fetch and follow tests, run in a thread.

Routes map a path to a :class:`Reply` or to a function of the :class:`Hit`
that returns one. The server records every request, the body bytes it sent
per path, and the most requests it ever had in flight at once.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from helpers import FIXTURES

WEB = FIXTURES / "web"


@dataclass
class Reply:
    """What the server answers: status, headers, body (bytes, or pieces sent as they come)."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering


@dataclass(frozen=True)
class Hit:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    at: float


Route = Reply | Callable[[Hit], Reply]


class WebServer:
    """A threaded HTTP server on a free port of 127.0.0.1; ``close()`` stops it."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.sent: Counter[str] = Counter()
        self.max_in_flight = 0
        self.stop = threading.Event()
        self._in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def __enter__(self) -> WebServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, route: Route) -> str:
        """Serve ``route`` at ``path``; returns the full URL."""
        self.routes[path] = route
        return self.url(path)

    def count(self, path: str) -> int:
        """How many requests ``path`` received."""
        with self._lock:
            return sum(1 for hit in self.hits if hit.path == path)

    def times(self, path: str) -> list[float]:
        with self._lock:
            return [hit.at for hit in self.hits if hit.path == path]

    def fixture(
        self, name: str, content_type: str, *, etag: bool = False
    ) -> Callable[[Hit], Reply]:
        """A fixture file of tests/fixtures/web, ``{base}`` replaced by this server's URL.

        With ``etag``, the reply carries an ETag and Last-Modified and answers
        a matching conditional GET with 304 and no body.
        """
        data = (WEB / name).read_bytes().replace(b"{base}", self.base.encode())
        return static(data, content_type, etag=f'"{name}-v1"' if etag else None)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        headers = {key.lower(): value for key, value in handler.headers.items()}
        hit = Hit(handler.path, headers, time.monotonic())
        with self._lock:
            self.hits.append(hit)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        done = False

        def finish() -> None:
            # Bookkeeping ends before the last bytes leave: once the client has
            # the whole response, the server has no request in flight.
            nonlocal done
            if not done:
                done = True
                self._in_flight -= 1

        try:
            route = self.routes.get(handler.path.split("?", 1)[0])
            if route is None:
                reply = Reply(404, b"not found", {"Content-Type": "text/plain"})
            else:
                reply = route(hit) if callable(route) else route
            if reply.delay:
                self.stop.wait(reply.delay)
            handler.send_response(reply.status)
            headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
            if isinstance(reply.body, bytes) and "Content-Length" not in headers:
                headers["Content-Length"] = str(len(reply.body))
            for name, value in headers.items():
                handler.send_header(name, value)
            if isinstance(reply.body, bytes):
                with self._lock:
                    self.sent[hit.path] += len(reply.body)
                    finish()
                handler.end_headers()
                handler.wfile.write(reply.body)
                return
            handler.end_headers()
            for piece in reply.body:  # ends when the connection closes
                if self.stop.is_set():
                    break
                with self._lock:
                    self.sent[hit.path] += len(piece)
                handler.wfile.write(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up (a body over its size cap, a timeout)
        finally:
            with self._lock:
                finish()


def static(data: bytes, content_type: str, *, etag: str | None = None) -> Callable[[Hit], Reply]:
    """A fixed body; with ``etag``, conditional GETs that match get 304 and no body."""
    modified = email.utils.formatdate(1743580800, usegmt=True)  # 2025-04-02

    def answer(hit: Hit) -> Reply:
        if etag is None:
            return Reply(200, data, {"Content-Type": content_type})
        validators = {"ETag": etag, "Last-Modified": modified}
        if hit.headers.get("if-none-match") == etag or (
            "if-none-match" not in hit.headers and hit.headers.get("if-modified-since") == modified
        ):
            return Reply(304, b"", validators)
        return Reply(200, data, {"Content-Type": content_type, **validators})

    return answer


def repeat(piece: bytes, total: int) -> Iterator[bytes]:
    """``total`` bytes made of ``piece`` (64 KiB at a time), generated as they are sent."""
    block = (piece * (65536 // len(piece) + 1))[:65536]
    sent = 0
    while sent < total:
        size = min(len(block), total - sent)
        yield block[:size]
        sent += size


def _handler(server: WebServer) -> Any:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server._answer(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def fixture_path(name: str) -> Path:
    return WEB / name
