"""Which URLs and addresses may be fetched: http(s) URLs with a host, public addresses only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from storyfuse.sources.fetch_records import FetchError

SCHEMES = frozenset({"http", "https"})
# Characters left as they are when a URL's path and query are percent-encoded.
_URL_SAFE = "/?&=:;@!$'()*+,-._~%"


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str

    @property
    def origin(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == default else f":{self.port}"
        return f"{self.scheme}://{host}{port}"


def parse_target(url: str) -> Target:
    """Check that ``url`` is an absolute http(s) URL with a host; raises :class:`FetchError`."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchError(url, f"not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        what = f"{scheme}:" if scheme else "a URL without a scheme"
        raise FetchError(url, f"refused: only http and https URLs are fetched, not {what}")
    if not parts.hostname:
        raise FetchError(url, "not a valid URL (no host)")
    if parts.username is not None or parts.password is not None:
        raise FetchError(url, "refused: URLs carrying a user name or password are not fetched")
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise FetchError(url, f"not a valid host name: {parts.hostname}") from None
    path = quote(parts.path or "/", safe=_URL_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_URL_SAFE)
    return Target(url, scheme, host, port or (443 if scheme == "https" else 80), path)


def address_problem(address: str) -> str | None:
    """Why an IP address must not be fetched from (``"a loopback address"``...), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "a non-public address"),
    )
    return next((name for failed, name in checks if failed), None)
