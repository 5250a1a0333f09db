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


_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address leads to (6to4, NAT64, Teredo), and what kind it is."""
    if ip.sixtofour is not None:
        return "a 6to4 address", ip.sixtofour
    if any(ip in network for network in _NAT64):
        return "a NAT64 address", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.teredo is not None:
        return "a Teredo address", ip.teredo[1]
    return None


def address_problem(address: str) -> str | None:
    """Why an IP address must not be fetched from (``"a loopback address"``...), or None.

    An IPv6 address that reaches an IPv4 address (IPv4-mapped ``::ffff:0:0/96``, 6to4
    ``2002::/16``, NAT64 ``64:ff9b::/96``, Teredo) is judged by that IPv4 address too.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # the very same IPv4 address, judged as one
    elif isinstance(ip, ipaddress.IPv6Address) and (embedded := embedded_ipv4(ip)):
        kind, ipv4 = embedded
        problem = address_problem(str(ipv4))
        if problem is not None:
            return f"{kind} of {ipv4}, {problem}"
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
