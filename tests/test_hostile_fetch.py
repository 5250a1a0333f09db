"""A server that trickles its answer cannot hold a fetch past the total timeout (issue 12).

A real socket server on 127.0.0.1 sends the status line, the headers or a chunk-size line a
byte at a time, each byte well within the read timeout: only the request's total deadline can
stop it, and it must, with ``attempts=1``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from storyfuse.sources.fetch import Fetcher, FetchError, FetchOptions, address_problem

BYTE_PAUSE = 0.1  # seconds between bytes: 10 bytes/s, each wait far below the read timeout
TOTAL = 1.5


class TricklingServer:
    """Answers every connection with ``head`` sent whole, then ``trickled`` byte by byte."""

    def __init__(self, head: bytes, trickled: bytes) -> None:
        self.head, self.trickled = head, trickled
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)  # the request
                connection.sendall(self.head)
                for byte in self.trickled:
                    if self.stop.is_set():
                        return
                    connection.sendall(bytes([byte]))
                    time.sleep(BYTE_PAUSE)
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


ENDLESS = b"X" * 10_000
CASES = {
    "status line": (b"", b"HTTP/1.1 200 OK" + ENDLESS),
    "headers": (b"HTTP/1.1 200 OK\r\n", b"X-Padding: " + ENDLESS),
    "chunk-size line": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n",
        b"0" * 10_000,
    ),
}


@pytest.fixture(params=sorted(CASES))
def trickling(request: pytest.FixtureRequest) -> Iterator[TricklingServer]:
    server = TricklingServer(*CASES[request.param])
    yield server
    server.close()


def test_a_trickled_answer_meets_the_total_deadline(trickling: TricklingServer) -> None:
    options = FetchOptions(
        allow_private=True,
        robots=False,
        host_delay=0.0,
        attempts=1,
        read_timeout=1.0,
        total_timeout=TOTAL,
    )
    started = time.monotonic()
    with Fetcher(options) as fetcher, pytest.raises(FetchError) as raised:
        fetcher.fetch(f"http://127.0.0.1:{trickling.port}/slow.html")
    elapsed = time.monotonic() - started
    assert elapsed < TOTAL + 0.5, f"held for {elapsed:.1f} s"
    assert f"within {TOTAL:g} s" in raised.value.reason
    assert raised.value.url.endswith("/slow.html")


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("2002:7f00:1::", "a 6to4 address of 127.0.0.1, a loopback address"),
        ("2002:c0a8:101::1", "a 6to4 address of 192.168.1.1, a private address"),
        ("2002:a9fe:a9fe::", "a 6to4 address of 169.254.169.254, a link-local address"),
        ("2002:a00:1::", "a 6to4 address of 10.0.0.1, a private address"),
        ("64:ff9b::7f00:1", "a NAT64 address of 127.0.0.1, a loopback address"),
        ("64:ff9b:1::a00:1", "a NAT64 address of 10.0.0.1, a private address"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "a Teredo address of 127.0.0.1, a loopback"),
        ("::ffff:10.1.2.3", "a private address"),
        ("::ffff:127.0.0.1", "a loopback address"),
    ],
)
def test_ipv6_addresses_that_lead_to_private_ipv4_are_refused(address: str, problem: str) -> None:
    found = address_problem(address)
    assert found is not None and found.startswith(problem)


@pytest.mark.parametrize("address", ["2002:808:808::", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_ipv6_addresses_of_public_hosts_pass(address: str) -> None:
    assert address_problem(address) is None


def test_a_6to4_url_of_loopback_is_refused_before_connecting() -> None:
    options = FetchOptions(robots=False, host_delay=0.0, attempts=1)
    with Fetcher(options) as fetcher, pytest.raises(FetchError) as raised:
        fetcher.fetch("http://[2002:7f00:1::]:8000/admin")
    assert "6to4 address of 127.0.0.1" in raised.value.reason
    assert "refused" in raised.value.reason
