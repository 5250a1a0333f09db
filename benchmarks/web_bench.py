"""Load benchmark of the web app: story page and story API at 50 concurrent clients.

Builds a store of at least ``--stories`` fictional stories (templated events
with distinct places, people and organisations, three to four reports each
from different fictional outlets, some reprinting the same wire copy), serves
it with uvicorn on 127.0.0.1 in a separate process, and drives ``--clients``
concurrent keep-alive connections against ``/stories/{id}`` and then
``/api/stories/{id}``, each for ``--requests`` requests in all, on stories
drawn at random (seeded). Before each measured run, one pass over every story
fills the server's view cache (its cold rates are printed too). Prints
requests per second and p50/p99 latency per endpoint.

The client is a minimal HTTP/1.1 client on asyncio streams, so that the
client costs little next to the server it measures.

    python benchmarks/web_bench.py [--stories 1000] [--clients 50] [--requests 5000]
                                   [--db PATH]   # reuse (or keep) the generated store

With ``--store PATH`` (a store built elsewhere, e.g. by ``store_bench.py --keep``)
nothing is generated: it measures the lists instead, ``/``, ``/api/stories``,
``/feed.xml`` and ``/search?q=WORD`` (words drawn from the store's headlines),
each first cold (every distinct request once, as the first visitors find them)
and then at ``--requests`` requests; and it times ``storyfuse stories | head``
and ``storyfuse story ID`` on the store, wall clock.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.store.listing import StoryFilter
from storyfuse.store.store import Store

SYLLABLES = (
    "bar ven dor kel mar lin tho rav sel quen wyn brak os tal mir fen gar hol sund drav "
    "pel cor ist var nim zel orn stra lo kai bren tor vel ash mun del rik"
).split()
FIRST = (
    "Ada Bruno Celia Dario Edda Fabian Greta Hugo Ines Jonas Kaia Lev Mira Nils Orla Pavel "
    "Quinn Rosa Stefan Tilde Ugo Vera Willem Xenia Yara Zoltan"
).split()
OUTLETS = (
    "The Morning Lantern",
    "Harbourline Daily",
    "The Upland Courier",
    "Radio Keldmark",
    "The Quarry Gazette",
    "Northgate Ledger",
    "The Tidewater Post",
    "Valley Observer",
)
EVENTS = (
    (
        "Flood waters force evacuation in {place}",
        [
            "Flood waters from the swollen {river} forced {n1} residents of {place} and "
            "{district} from their homes on {day}, the {org} said.",
            "The {org} opened shelters at {landmark} and on {street}, where volunteers led "
            "by {person2} handed out blankets.",
            '"We have never seen the {river} rise this fast," said {person}, who leads the '
            "{org} in {place}.",
            "Trains between {place} and {other} were suspended after the tracks near "
            "{landmark} were submerged.",
            "Forecasters in {other} expect the {river} to peak late on {day2} before "
            "falling slowly past {district}.",
        ],
    ),
    (
        "{place} opens new bridge over the {river}",
        [
            "The new {river} bridge between {place} and {district} opened to traffic on "
            "{day}, cutting the journey to {other} by {n2} minutes.",
            "The crossing cost {n1} million crowns and took four years to build, said "
            "{person2} of the {org}.",
            '"This bridge joins {place} and {district} at last," {person} said at {landmark}.',
            "About {n1} people walked from {street} across the deck before the first buses "
            "from {other} were allowed on.",
            "Cyclists on {street} will get a separate lane over the {river} next spring, "
            "the {org} said.",
        ],
    ),
    (
        "Strike halts port of {place}",
        [
            "Dock workers at the port of {place} walked out on {day}, halting {n2} ships "
            "at {landmark}, the {org} said.",
            "The union, led by {person2}, wants a pay rise of {n2} percent for the crews of "
            "{district}.",
            '"Our members will stay out until the {org} makes a fair offer," said {person} '
            "outside {landmark}.",
            "Lorries queued along {street} for {n1} metres as the gates to {other} stayed shut.",
            "Talks between {person2} and the {org} are due to resume in {other} on {day2}.",
        ],
    ),
    (
        "Fire destroys historic hall in {place}",
        [
            "A fire destroyed {landmark} in the {district} quarter of {place} overnight on "
            "{day}, the {org} said.",
            "More than {n2} firefighters from {place} and {other} fought the blaze on {street}.",
            '"We lost the roof of {landmark} but saved its clock tower," said {person}, '
            "the {org}'s chief.",
            "Nobody was hurt, but {n1} households in {district} were told by {person2} to "
            "keep windows closed.",
            "Investigators from {other} will examine {landmark} once it is safe, probably "
            "on {day2}.",
        ],
    ),
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def story_documents(number: int, rng: random.Random) -> list[RawDocument]:
    """Three or four reports of one fictional event, some sharing wire copy."""
    headline, sentences = EVENTS[number % len(EVENTS)]
    day = rng.randrange(7)
    values = {
        "place": _name(rng, 3),
        "other": _name(rng, 3),
        "river": _name(rng, 2),
        "org": f"{_name(rng, 2)} {rng.choice(['Authority', 'Council', 'Trust', 'Board'])}",
        "person": f"{rng.choice(FIRST)} {_name(rng, 3)}",
        "person2": f"{rng.choice(FIRST)} {_name(rng, 3)}",
        "district": _name(rng, 3),
        "street": f"{_name(rng, 2)} Street",
        "landmark": f"the {_name(rng, 3)} {rng.choice(['Hall', 'Arena', 'Tower', 'Quay'])}",
        "n1": str(rng.randrange(200, 9000)),
        "n2": str(rng.randrange(3, 60)),
        "day": DAYS[day],
        "day2": DAYS[(day + 2) % 7],
    }
    wire = [sentence.format(**values) for sentence in sentences]
    published = dt.date(2025, 1, 1) + dt.timedelta(days=number // 4)
    outlets = rng.sample(OUTLETS, rng.choice((3, 4)))
    documents = []
    for k, outlet in enumerate(outlets):
        kept = wire if k < 2 else [s for i, s in enumerate(wire) if i % 2 == 0]
        own = (
            f"{outlet} spoke to {values['person']} again on {values['day2']}, "
            f"who said the {values['org']} would publish a full account within {k + 2} weeks."
        )
        text = "\n\n".join([*kept, own])
        documents.append(
            RawDocument(
                source=f"bench/{number}-{k}",
                text=text,
                title=headline.format(**values) + ("" if k == 0 else f" ({outlet})"),
                outlet=outlet,
                url=f"https://news{k}.example/{number}",
                published=published + dt.timedelta(days=k // 2),
            )
        )
    return documents


def build_store(path: Path, stories: int) -> int:
    """Ingest generated stories until the store holds at least ``stories``; returns the count."""
    rng = random.Random(7)
    with Store(path) as store:
        have = store.counts()["stories"]
        ingestion = Ingestion(store)
        number = 0
        started = time.perf_counter()
        while have < stories:
            batch = []
            for _ in range(100):
                batch += story_documents(number, rng)
                number += 1
            ingestion.ingest(batch)
            have = store.counts()["stories"]
            print(f"  built {have} stories ({time.perf_counter() - started:.0f} s)", flush=True)
        return have


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str
) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    )
    await reader.readexactly(length)
    return status


async def _run(port: int, paths: list[str], clients: int) -> tuple[list[float], float]:
    """Send ``paths`` over ``clients`` keep-alive connections; latencies (s) and wall time."""
    host = f"127.0.0.1:{port}"
    queue = list(reversed(paths))
    latencies: list[float] = []

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                path = queue.pop()
                begin = time.perf_counter()
                status = await _request(reader, writer, host, path)
                latencies.append(time.perf_counter() - begin)
                if status != 200:
                    raise RuntimeError(f"{path}: HTTP {status}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, time.perf_counter() - started


def _report(name: str, latencies: list[float], seconds: float) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
    print(
        f"{name:<28} {len(ordered):>6} requests  {len(ordered) / seconds:>7.1f} req/s  "
        f"p50 {p50:>6.1f} ms  p99 {p99:>6.1f} ms"
    )


def _serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    code = (
        "import sys, uvicorn\n"
        "from storyfuse.web.app import create_app\n"
        "uvicorn.run(create_app(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]),"
        " log_level='warning', access_log=False)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", code, str(db), str(port)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("the server exited") from None
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start")


def _command_seconds(command: str) -> float:
    """Wall time of a shell command line (its output discarded)."""
    started = time.perf_counter()
    subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _measure_lists(store_path: Path, clients: int, requests: int) -> None:
    """The list endpoints and the read commands on an existing store."""
    with Store(store_path) as store:
        counts = store.counts()
        rows = store.lists.recent(StoryFilter(), 200)
    words = sorted({w for row in rows for w in row.headline.split() if w.isalpha() and len(w) > 4})
    rng = random.Random(0)
    queries = rng.sample(words, min(40, len(words)))
    print(
        f"store: {store_path}  articles: {counts['articles']}  stories: {counts['stories']}  "
        f"clients: {clients}  cpus: {os.cpu_count()}"
    )
    storyfuse = f"{sys.executable} -c 'from storyfuse.cli import main; main()'"
    for label, command in (
        ("storyfuse stories | head", f"{storyfuse} stories --db {store_path} | head"),
        ("storyfuse story ID", f"{storyfuse} story {rows[0].id} --db {store_path}"),
        ("storyfuse search WORD", f"{storyfuse} search {queries[0]} --db {store_path}"),
    ):
        times = sorted(_command_seconds(command) for _ in range(3))
        print(f"{label:<28} wall {times[1]:.2f} s (median of 3; {times[0]:.2f}..{times[-1]:.2f})")
    port = _free_port()
    server = _serve(store_path, port)
    try:
        for name, distinct in (
            ("home /", ["/", "/?page=2", "/?single=1"]),
            ("list API /api/stories", ["/api/stories", "/api/stories?page=2"]),
            ("Atom feed /feed.xml", ["/feed.xml"]),
            ("search /search?q=", [f"/search?q={q}" for q in queries]),
        ):
            latencies, seconds = asyncio.run(_run(port, distinct, min(clients, len(distinct))))
            _report(f"{name} (cold)", latencies, seconds)
            paths = [rng.choice(distinct) for _ in range(requests)]
            latencies, seconds = asyncio.run(_run(port, paths, clients))
            _report(name, latencies, seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000, help="per endpoint")
    parser.add_argument("--db", type=Path, help="store to reuse or keep (default: temporary)")
    parser.add_argument("--store", type=Path, help="measure the lists on this existing store")
    args = parser.parse_args()
    if args.store:
        if not args.store.exists():
            print(f"web_bench: no store at {args.store}", file=sys.stderr)
            return 1
        _measure_lists(args.store, args.clients, args.requests)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or Path(folder) / "bench.db"
        print(f"store: {db}")
        count = build_store(db, args.stories)
        with Store(db) as store:
            ids = [row.id for row in store.stories()]
            articles = store.counts()["articles"]
        print(f"stories: {count}  articles: {articles}  clients: {args.clients}", end="  ")
        print(f"cpus: {os.cpu_count()}")
        port = _free_port()
        server = _serve(db, port)
        try:
            rng = random.Random(0)
            for name, pattern in (
                ("story page /stories/{id}", "/stories/{}"),
                ("story API /api/stories/{id}", "/api/stories/{}"),
            ):
                everything = [pattern.format(i) for i in ids]
                latencies, seconds = asyncio.run(_run(port, everything, args.clients))
                _report(f"{name} (first pass)", latencies, seconds)
                paths = [pattern.format(rng.choice(ids)) for _ in range(args.requests)]
                latencies, seconds = asyncio.run(_run(port, paths, args.clients))
                _report(name, latencies, seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
