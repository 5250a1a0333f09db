"""Benchmark: stream a generated WARC archive through storyfuse's archive reader.

Writes a WARC of the given size (default 1 GB) in a temporary folder: fictional
news pages of 60-100 KB (scripts, styles, navigation, related links around a
12-20 paragraph article), request records, PNG images and a few redirects,
like a crawl. Then reads it back with :func:`storyfuse.sources.warc.iter_archive`
(which extracts every page's article) and prints pages per second and memory:
the resident size sampled as the read goes on and the peak. Memory must not
grow with the archive: compare a run at 100M with one at 1G.

    python benchmarks/warc_bench.py [SIZE] [--gzip] [--seed N]     # SIZE: 100M, 1G, ...
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyfuse.models import RawDocument
from storyfuse.sources.warc import iter_archive

_UNITS = {"K": 1024, "M": 1024**2, "G": 1024**3}
_WORDS = (
    "harbour council ferry quay storm fishing crews island minister budget vote police report "
    "residents school hospital road bridge market prices weather coast river town village "
    "said told announced warned agreed rejected planned opened closed rebuilt inspected "
    "morning evening week month year million crowns percent after before during while "
    "the a of to in on for with by from that which who new old local regional national"
).split()


def parse_size(text: str) -> int:
    """``100M``, ``1G``, ``512K`` or a number of bytes."""
    unit = text[-1:].upper()
    if unit in _UNITS:
        return int(float(text[:-1]) * _UNITS[unit])
    return int(text)


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(12, 28))
    return " ".join(words).capitalize() + "."


def make_page(rng: random.Random, number: int) -> bytes:
    """A fictional news page: about 60-100 KB, a tenth of it article text."""
    title = f"Story {number}: " + " ".join(rng.choices(_WORDS, k=6))
    paragraphs = "".join(
        f"<p>{' '.join(_sentence(rng) for _ in range(rng.randint(2, 4)))}</p>\n"
        for _ in range(rng.randint(12, 20))
    )
    nav = "".join(f'<li><a href="/section/{i}">{rng.choice(_WORDS)}</a></li>' for i in range(40))
    related = "".join(
        f'<li><a href="/story/{rng.randint(1, 10**6)}">{_sentence(rng)}</a></li>' for _ in range(8)
    )
    script = "var config = {" + ",".join(
        f'"k{i}": "{rng.getrandbits(64):x}"' for i in range(rng.randint(1800, 3200))
    )
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:site_name" content="Bench Gazette">
<meta property="article:published_time" content="2025-04-0{number % 9 + 1}T08:00:00Z">
<style>body {{ font-family: serif }} .nav li {{ display: inline }}</style>
<script>{script}}};</script></head><body>
<header><nav class="nav"><ul>{nav}</ul></nav></header>
<main><article><h1>{title}</h1><div class="article-body">{paragraphs}</div>
<aside class="related-stories"><h3>Related</h3><ul>{related}</ul></aside></article></main>
<footer><p>© 2025 Bench Gazette. All rights reserved.</p></footer></body></html>"""
    return page.encode("utf-8")


def _response(writer: WARCWriter, url: str, body: bytes, content_type: str, status: str) -> None:
    headers = StatusAndHeaders(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    writer.write_record(
        writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
    )


def write_archive(path: Path, size: int, gzipped: bool, seed: int) -> int:
    """Write records until the file reaches ``size`` bytes; return the number of pages."""
    rng = random.Random(seed)
    image = bytes(rng.getrandbits(8) for _ in range(30_000))
    pages = 0
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzipped)
        while stream.tell() < size:
            url = f"https://bench.example/story/{pages}"
            request = StatusAndHeaders(f"GET /story/{pages} HTTP/1.1", [("Host", "bench.example")])
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            _response(writer, url, make_page(rng, pages), "text/html; charset=utf-8", "200 OK")
            pages += 1
            if pages % 4 == 0:
                _response(writer, f"{url}/photo.png", image, "image/png", "200 OK")
            if pages % 25 == 0:
                _response(writer, f"{url}?old", b"", "text/html", "301 Moved Permanently")
    return pages


def resident_mb() -> float:
    """The process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="1G", help="archive size (default 1G)")
    parser.add_argument("--gzip", action="store_true", help="gzip each record (.warc.gz)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    size = parse_size(args.size)
    with tempfile.TemporaryDirectory(prefix="warc-bench-") as folder:
        path = Path(folder, "bench.warc.gz" if args.gzip else "bench.warc")
        started = time.perf_counter()
        total = write_archive(path, size, args.gzip, args.seed)
        written = time.perf_counter() - started
        print(
            f"archive: {path.stat().st_size / 1024**2:.0f} MB, {total} pages "
            f"(+ requests, images, redirects), written in {written:.0f} s"
        )
        print(f"resident memory before reading: {resident_mb():.0f} MB")
        pages = errors = 0
        samples: list[str] = []
        checkpoints = {total * share // 4: share * 25 for share in (1, 2, 3)}
        started = time.perf_counter()
        for result in iter_archive(path):
            if isinstance(result, RawDocument):
                pages += 1
            else:
                errors += 1
            if pages in checkpoints:
                samples.append(f"{checkpoints.pop(pages)}%: {resident_mb():.0f} MB")
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pages read: {pages}  errors: {errors}  seconds: {elapsed:.0f}")
    print(f"pages per second: {pages / elapsed:.1f}")
    print(f"resident memory while reading: {'  '.join(samples)}  100%: {resident_mb():.0f} MB")
    print(f"peak memory (whole run): {peak:.0f} MB")
    return 0 if pages == total and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
