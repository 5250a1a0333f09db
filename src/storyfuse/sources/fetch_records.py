"""What a fetch is given and gives back: its options, result and error, and the User-Agent."""

from __future__ import annotations

from dataclasses import dataclass

from storyfuse import __version__

PROJECT_URL = "https://pypi.org/project/storyfuse/"
USER_AGENT = f"storyfuse/{__version__} (+{PROJECT_URL})"
MB = 1024 * 1024


def user_agent(contact: str | None = None) -> str:
    """The User-Agent header: storyfuse, its version, its URL and an optional contact."""
    extra = f"; {contact.strip()}" if contact and contact.strip() else ""
    return f"storyfuse/{__version__} (+{PROJECT_URL}{extra})"


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Limits, politeness and safety rules of a :class:`~storyfuse.sources.fetch.Fetcher`.

    Timeouts are in seconds: ``connect_timeout`` to open the connection (and
    the TLS handshake), ``read_timeout`` for each wait on the server, and
    ``total_timeout`` for one whole request and response. ``max_bytes`` caps
    a body both as received and after decompression. ``attempts`` counts the
    first try; the waits between tries double from ``backoff``.
    """

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * MB
    max_redirects: int = 5
    allow_private: bool = False
    # Host names fetched even when they resolve to private addresses (an intranet feed server).
    private_hosts: frozenset[str] = frozenset()
    robots: bool = True
    robots_ttl: float = 3600.0
    host_delay: float = 1.0
    max_crawl_delay: float = 30.0
    attempts: int = 3
    backoff: float = 1.0
    max_retry_after: float = 60.0


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A response: its body (decompressed) and what a later conditional GET needs.

    ``status`` 304 means not modified (``body`` is empty). ``content_type`` is
    the media type in lower case without parameters, ``None`` when the server
    sent none.
    """

    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        """Whether the server answered a conditional GET with 304 Not Modified."""
        return self.status == 304


class FetchError(Exception):
    """A URL that could not be fetched; the message names the URL and the reason.

    ``transient`` errors (timeouts, connection errors, 429, 5xx) may succeed
    later; ``status`` is the HTTP status when the server answered.
    """

    def __init__(
        self, url: str, reason: str, *, status: int | None = None, transient: bool = False
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.transient = transient
