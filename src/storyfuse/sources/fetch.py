"""A polite, safe HTTP client for pages and feeds.

Politeness: an honest User-Agent naming storyfuse, its version and where to
read about it; robots.txt fetched once per site (cached) and obeyed for the
``storyfuse`` group, else ``*``; one request at a time per host, with a pause
between them (``host_delay``, raised to the site's ``Crawl-delay`` up to a cap);
conditional GET (``If-None-Match`` / ``If-Modified-Since``) so an unchanged
feed costs a 304 and no body; retries with exponential backoff only on
timeouts, connection errors, 429 and 5xx, honouring ``Retry-After`` up to a cap.

Safety: only ``http`` and ``https``; the host name is resolved once, every
address is checked, and the socket is connected to the checked address (so
DNS cannot point the name elsewhere between check and connect); private,
loopback, link-local, multicast, reserved and other non-public addresses are
refused unless allowed; every redirect hop is checked again and redirects are
capped; connect, read and total timeouts; responses are streamed and cut off
past ``max_bytes`` (a declared ``Content-Length`` over the cap is refused before
reading); a compressed body is inflated chunk by chunk and refused as soon as it
expands past ``max_bytes``, never expanded whole.

Why the standard library (``http.client``) rather than httpx: the address
check is only sound if the connection goes to the address that was checked,
and the size caps are only sound if the body is seen as it arrives on the
wire, still compressed. ``http.client`` gives both with a small connection
subclass and ``read1``; httpx would need its private transport internals to
pin the address, and adds a dependency. What we give up (HTTP/2, connection
reuse, proxies) a crawler that waits between requests to a host does not miss.

:class:`Fetcher` lives here. Its options, result and error
(:mod:`~storyfuse.sources.fetch_records`), the URL and address checks
(:mod:`~storyfuse.sources.fetch_safety`), the waits between requests
(:mod:`~storyfuse.sources.fetch_politeness`) and the connections and inflation
(:mod:`~storyfuse.sources.fetch_wire`) have modules of their own; the names in
``__all__`` can still be imported from here.
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import threading
import time
import urllib.robotparser
import zlib
from contextlib import suppress
from dataclasses import replace
from urllib.parse import urljoin

from storyfuse.sources.fetch_politeness import (
    ROBOTS_AGENT,
    ROBOTS_ERROR_TTL,
    ROBOTS_MAX_BYTES,
    ROBOTS_REDIRECTS,
    Cancelled,
    HostGate,
    Pause,
    Robots,
)
from storyfuse.sources.fetch_records import MB, FetchError, FetchOptions, FetchResult
from storyfuse.sources.fetch_safety import Target, address_problem, parse_target
from storyfuse.sources.fetch_wire import (
    Connection,
    Inflater,
    Response,
    TLSConnection,
    parse_retry_after,
)

__all__ = [
    "MB",
    "FetchError",
    "FetchOptions",
    "FetchResult",
    "Fetcher",
    "address_problem",
    "parse_target",
]

logger = logging.getLogger(__name__)

DEFAULT_ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})

_CHUNK = 64 * 1024


class _Retry(Exception):
    """A failure worth another try, after a wait."""

    def __init__(
        self, reason: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB" if size % MB else f"{size // MB} MB"


class Fetcher:
    """Fetches URLs politely and safely; thread-safe, one instance for a whole run.

    Use as a context manager or call :meth:`close`, which also interrupts
    requests in flight in other threads (they fail with "cancelled").
    """

    def __init__(self, options: FetchOptions | None = None) -> None:
        self.options = options or FetchOptions()
        self._stop = threading.Event()
        self._pause = Pause(self._stop)
        self._gate = HostGate(self._pause)
        self._tls = ssl.create_default_context()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._robots: dict[str, Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop: pending waits end and open connections are shut down."""
        self._stop.set()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # -- the public call -----------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = DEFAULT_ACCEPT,
    ) -> FetchResult:
        """GET ``url`` (conditionally when ``etag`` or ``last_modified`` is given).

        Follows redirects (each hop checked), retries what may pass, and
        raises :class:`FetchError` naming the URL and the reason otherwise.
        """
        headers = {"User-Agent": self.options.user_agent, "Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = max(1, self.options.attempts)
        try:
            for attempt in range(1, attempts + 1):
                try:
                    return replace(self._follow(url, headers), attempts=attempt)
                except _Retry as problem:
                    wait = self.options.backoff * 2 ** (attempt - 1)
                    if problem.retry_after is not None:
                        if problem.retry_after > self.options.max_retry_after:
                            reason = (
                                f"{problem.reason}; the server asks to retry after "
                                f"{problem.retry_after:.0f} s (over the "
                                f"{self.options.max_retry_after:.0f} s cap)"
                            )
                            raise FetchError(
                                url, reason, status=problem.status, transient=True
                            ) from None
                        wait = max(wait, problem.retry_after)
                    if attempt == attempts:
                        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
                        raise FetchError(
                            url, problem.reason + tries, status=problem.status, transient=True
                        ) from None
                    logger.info("%s: %s; retrying in %.1f s", url, problem.reason, wait)
                    self._pause(wait)
        except Cancelled:
            raise FetchError(url, "cancelled", transient=True) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # -- redirects and robots.txt ---------------------------------------------
    def _follow(self, url: str, headers: dict[str, str]) -> FetchResult:
        current = url
        for _ in range(self.options.max_redirects + 1):
            try:
                target = parse_target(current)
                addresses = self._addresses(target)
                self._check_robots(target)
                response = self._exchange(target, addresses, headers, self.options.max_bytes)
            except FetchError as error:
                if current == url:
                    raise
                raise FetchError(
                    url,
                    f"redirected to {current}: {error.reason}",
                    status=error.status,
                    transient=error.transient,
                ) from None
            status = response.status
            if status in REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(
                        url, f"HTTP {status} redirect without a Location", status=status
                    )
                current = urljoin(current, location.strip()).split("#", 1)[0]
                continue
            if status == 429 or 500 <= status <= 599:
                raise _Retry(
                    f"HTTP {status} {response.reason}".rstrip(),
                    status=status,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
            if status != 304 and not 200 <= status <= 299:
                raise FetchError(url, f"HTTP {status} {response.reason}".rstrip(), status=status)
            content_type = response.headers.get("Content-Type")
            return FetchResult(
                url=url,
                final_url=current,
                status=status,
                body=response.body,
                content_type=response.headers.get_content_type() if content_type else None,
                charset=response.headers.get_content_charset(),
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            )
        raise FetchError(url, f"too many redirects (more than {self.options.max_redirects})")

    def _check_robots(self, target: Target) -> None:
        if not self.options.robots:
            return
        rules, problem = self._robots_rules(target)
        if problem is not None:
            raise FetchError(target.url, problem, transient=True)
        if not rules.can_fetch(ROBOTS_AGENT, target.path):
            raise FetchError(
                target.url, f"refused by {target.origin}/robots.txt (disallowed for storyfuse)"
            )

    def _robots_rules(
        self, target: Target
    ) -> tuple[urllib.robotparser.RobotFileParser, str | None]:
        """The site's robots.txt rules, fetched once per ``robots_ttl`` and origin.

        Returns the rules and, when robots.txt could not be read, why (then
        nothing is fetched from the site until it can be: RFC 9309).
        """
        origin = target.origin
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            cached = self._robots.get(origin)
            if cached is not None and cached.expires > time.monotonic():
                return cached.rules, cached.problem
            rules = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
            problem = self._load_robots(origin, rules)
            ttl = self.options.robots_ttl if problem is None else ROBOTS_ERROR_TTL
            self._robots[origin] = Robots(rules, problem, time.monotonic() + ttl)
            return rules, problem

    def _load_robots(self, origin: str, rules: urllib.robotparser.RobotFileParser) -> str | None:
        """Fetch and parse robots.txt into ``rules``; returns why it could not be read.

        RFC 9309: a 4xx answer (no robots.txt) allows everything; a 5xx answer
        allows nothing. A server that cannot be reached raises ``_Retry``, like
        the request it came before, and is not cached.
        """
        current = f"{origin}/robots.txt"
        headers = {"User-Agent": self.options.user_agent, "Accept": "text/plain, */*;q=0.5"}
        for _ in range(ROBOTS_REDIRECTS + 1):
            try:
                target = parse_target(current)
                response = self._exchange(
                    target, self._addresses(target), headers, ROBOTS_MAX_BYTES, truncate=True
                )
            except FetchError as error:
                return f"cannot read {origin}/robots.txt ({error.reason}); not fetching from there"
            location = response.headers.get("Location")
            if response.status in REDIRECTS and location:
                current = urljoin(current, location.strip())
                continue
            if 200 <= response.status <= 299:
                rules.parse(response.body.decode("utf-8", errors="replace").splitlines())
                return None
            if 400 <= response.status <= 499:
                rules.parse([])  # no rules: everything allowed
                return None
            return (
                f"{origin}/robots.txt answered HTTP {response.status}; "
                "not fetching from there until it can be read"
            )
        rules.parse([])  # RFC 9309: past five redirects, as if there were no robots.txt
        return None

    def _host_delay(self, target: Target) -> float:
        delay = self.options.host_delay
        if self.options.robots:
            cached = self._robots.get(target.origin)
            crawl_delay = cached.rules.crawl_delay(ROBOTS_AGENT) if cached else None
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), self.options.max_crawl_delay))
        return delay

    # -- one request and response ---------------------------------------------
    def _addresses(self, target: Target) -> list[str]:
        """The host's addresses, each checked unless private addresses are allowed."""
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise FetchError(target.url, f"cannot resolve {target.host} ({reason})") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if self.options.allow_private or target.host in self.options.private_hosts:
            return addresses
        for address in addresses:
            problem = address_problem(address)
            if problem is not None:
                what = "is" if address == target.host else f"resolves to {address},"
                raise FetchError(
                    target.url,
                    f"refused: {target.host} {what} {problem} "
                    "(private addresses are fetched only when allowed: --allow-private)",
                )
        return addresses

    def _connect(self, target: Target, addresses: list[str], deadline: float) -> Connection:
        read_timeout = self.options.read_timeout
        last: OSError | None = None
        for address in addresses:
            timeout = min(self.options.connect_timeout, max(0.001, deadline - time.monotonic()))
            connection = (
                TLSConnection(
                    target.host, target.port, address, timeout, self._tls, deadline, read_timeout
                )
                if target.scheme == "https"
                else Connection(target.host, target.port, address, timeout, deadline, read_timeout)
            )
            try:
                connection.connect()
            except ssl.SSLCertVerificationError as error:
                connection.close()
                raise FetchError(
                    target.url, f"TLS certificate not valid ({error.verify_message})"
                ) from None
            except TimeoutError:
                connection.close()
                last = TimeoutError(f"timed out connecting ({timeout:g} s)")
                continue
            except OSError as error:
                connection.close()
                last = error
                continue
            return connection
        if isinstance(last, TimeoutError):
            raise _Retry(str(last))
        detail = (last.strerror or str(last)) if last is not None else "no address"
        raise _Retry(f"cannot connect to {target.host} ({detail})")

    def _exchange(
        self,
        target: Target,
        addresses: list[str],
        headers: dict[str, str],
        limit: int,
        *,
        truncate: bool = False,
    ) -> Response:
        """One GET to checked addresses: send, read the status and a capped body."""
        with self._gate.turn(target.host, self._host_delay(target)):
            logger.debug("GET %s", target.url)
            deadline = time.monotonic() + self.options.total_timeout
            connection = self._connect(target, addresses, deadline)
            raw = connection.raw
            response: http.client.HTTPResponse | None = None
            if raw is not None:
                with self._lock:
                    self._open.add(raw)
            try:
                if self._stop.is_set():
                    raise Cancelled
                self._set_timeout(raw, deadline, target)
                connection.putrequest("GET", target.path, skip_accept_encoding=True)
                for name, value in headers.items():
                    connection.putheader(name, value)
                connection.putheader("Accept-Encoding", "gzip, deflate")
                connection.putheader("Connection", "close")
                connection.endheaders()
                response = connection.getresponse()
                body = b""
                if 200 <= response.status <= 299:
                    body = self._read_body(target, response, raw, deadline, limit, truncate)
                return Response(response.status, response.reason, response.headers, body)
            except TimeoutError:
                if self._stop.is_set():
                    raise Cancelled from None
                if time.monotonic() >= deadline:
                    raise _Retry(
                        f"timed out (no complete answer within {self.options.total_timeout:g} s)"
                    ) from None
                raise _Retry(
                    f"timed out (no answer within {self.options.read_timeout:g} s)"
                ) from None
            except http.client.RemoteDisconnected:
                raise _Retry("the server closed the connection without answering") from None
            except http.client.IncompleteRead:
                raise _Retry("the connection closed in the middle of the body") from None
            except http.client.HTTPException as error:
                raise FetchError(
                    target.url, f"malformed HTTP response ({type(error).__name__})"
                ) from None
            except ssl.SSLError as error:
                raise _Retry(f"TLS error ({error.reason or error})") from None
            except OSError as error:
                if self._stop.is_set():
                    raise Cancelled from None
                raise _Retry(f"connection failed ({error.strerror or error})") from None
            finally:
                if response is not None:
                    response.close()
                connection.close()
                if raw is not None:
                    with self._lock:
                        self._open.discard(raw)
                    raw.close()

    def _set_timeout(self, raw: socket.socket | None, deadline: float, target: Target) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        if raw is not None:
            raw.settimeout(min(self.options.read_timeout, remaining))

    def _read_body(
        self,
        target: Target,
        response: http.client.HTTPResponse,
        raw: socket.socket | None,
        deadline: float,
        limit: int,
        truncate: bool,
    ) -> bytes:
        """Stream the body, stopping past ``limit`` bytes received or inflated."""
        declared = response.getheader("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > limit and not truncate:
            raise FetchError(
                target.url,
                f"too large: the server announces {_megabytes(int(declared))} "
                f"(limit {_megabytes(limit)}); not downloaded",
            )
        encoding = response.getheader("Content-Encoding", "identity").strip().lower()
        if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
            raise FetchError(target.url, f"unsupported Content-Encoding {encoding!r}")
        inflater = Inflater(encoding, limit) if encoding not in ("identity", "") else None
        received = bytearray()
        try:
            while True:
                self._set_timeout(raw, deadline, target)
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                if len(received) + len(chunk) > limit:
                    if truncate:
                        received += chunk[: limit - len(received)]
                        break
                    raise FetchError(
                        target.url,
                        f"too large: the body passed the {_megabytes(limit)} limit; "
                        "download stopped",
                    )
                received += chunk
                if inflater is not None:
                    inflater.feed(chunk)
            if declared.isdigit() and len(received) < int(declared) and not truncate:
                raise http.client.IncompleteRead(bytes(received))
            return inflater.finish() if inflater is not None else bytes(received)
        except OverflowError:
            raise FetchError(
                target.url,
                f"refused: the {encoding}-compressed body expands past the "
                f"{_megabytes(limit)} limit (a decompression bomb?); not expanded",
            ) from None
        except zlib.error as error:
            raise FetchError(target.url, f"corrupt {encoding} body ({error})") from None
