"""The HTTP wire under the fetcher: pinned connections, capped inflation, Retry-After."""

from __future__ import annotations

import http.client
import io
import math
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any, cast


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    reason: str
    headers: Message
    body: bytes


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class Inflater:
    """Inflate a gzip or deflate body chunk by chunk, refusing output past ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.out = bytearray()
        self._gzip = encoding in ("gzip", "x-gzip")
        self._engine: zlib._Decompress | None = None

    def _new_engine(self, head: bytes) -> zlib._Decompress:
        if self._gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped; some servers send raw deflate.
        wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] * 256 + head[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> None:
        """Inflate more input; raises ``zlib.error`` or :class:`OverflowError`."""
        pending = data
        while pending:
            if self._engine is None or self._engine.eof:
                if self._engine is not None and not (self._gzip and pending.strip(b"\0")):
                    return  # data after the end of the stream (padding): ignored
                self._engine = self._new_engine(pending)
            self.out += self._engine.decompress(pending, self.limit + 1 - len(self.out))
            if len(self.out) > self.limit:
                raise OverflowError
            engine = self._engine
            pending = engine.unused_data if engine.eof else engine.unconsumed_tail

    def finish(self) -> bytes:
        """The whole inflated body; raises ``zlib.error`` if the stream was cut short."""
        if self._engine is None or not self._engine.eof:
            raise zlib.error("truncated compressed data")
        return bytes(self.out)


class _DeadlineReader(io.RawIOBase):
    """A socket read as a file, each wait bounded by the read timeout and the deadline.

    ``http.client`` reads the status line, the headers and every chunk-size line through
    this file: a server that trickles any of them a byte at a time meets the deadline of
    the whole request, not a fresh read timeout per byte.
    """

    def __init__(self, sock: socket.socket, connection: Connection) -> None:
        super().__init__()
        self._sock = sock
        self._connection = connection

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._connection.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("past the deadline of the request")
        self._sock.settimeout(min(self._connection.read_timeout, remaining))
        return self._sock.recv_into(buffer)


class _PacedSocket:
    """The connection's socket as ``http.client`` sees it: responses read by the deadline."""

    def __init__(self, sock: socket.socket, connection: Connection) -> None:
        self._sock = sock
        self._connection = connection

    def makefile(self, mode: str = "rb", *_: object, **__: object) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._connection))

    def close(self) -> None:
        """Left open: ``http.client`` closes it before the body is read; the fetcher closes
        ``Connection.raw`` when the exchange is over."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class Connection(http.client.HTTPConnection):
    """An HTTP connection to one checked address, whatever the host name resolves to now.

    Its response is read by ``deadline`` (a ``time.monotonic()`` value), each wait on the
    server at most ``read_timeout`` seconds.
    """

    def __init__(
        self,
        host: str,
        port: int,
        address: str,
        timeout: float,
        deadline: float = math.inf,
        read_timeout: float = math.inf,
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.deadline = deadline
        self.read_timeout = read_timeout
        self.raw: socket.socket | None = None

    def connect(self) -> None:
        self.raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = cast(socket.socket, _PacedSocket(self.raw, self))


class TLSConnection(Connection):
    """An HTTPS connection to one checked address; the certificate must match the host name."""

    default_port = http.client.HTTPS_PORT

    def __init__(
        self,
        host: str,
        port: int,
        address: str,
        timeout: float,
        context: ssl.SSLContext,
        deadline: float = math.inf,
        read_timeout: float = math.inf,
    ) -> None:
        super().__init__(host, port, address, timeout, deadline, read_timeout)
        self.context = context

    def connect(self) -> None:
        super().connect()
        assert self.raw is not None
        self.raw = self.context.wrap_socket(self.raw, server_hostname=self.host)
        self.sock = cast(socket.socket, _PacedSocket(self.raw, self))
