"""Hostile inputs for the fuzz harness (benchmarks/fuzz.py): a seeded generator, every format.

:func:`hostile_inputs` yields :class:`Hostile` files (a name suffix and bytes)
of text, HTML, JSONL, RSS, Atom, JSON Feed, WARC and ARC: the shapes that broke
storyfuse before (deep JSON, huge integers, lone surrogates, year-1 dates,
wrong types, long runs of one character, tags with many attributes, pages and
feeds of many elements, garbled archive records) and random mutations (bit
flips, cuts, splices, repeats) of well-formed samples of each format.
:func:`good_article` writes articles that must survive any batch.
Everything depends only on the seed.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

_WORDS = (
    "harbour council river bridge mayor budget school storm village market railway farmers "
    "museum festival hospital workers union station coast island valley tunnel library court "
    "engineers residents police officials teachers drivers nurses volunteers tourists miners "
    "approved delayed opened closed rebuilt inspected announced rejected funded extended "
    "repaired flooded cleared reported promised questioned measured planned expected welcomed "
    "quickly slowly finally again early late today yesterday tomorrow nearby abroad together "
    "new old second northern southern eastern western small large public private local "
    "million thousand hundred weeks months years dollars tonnes metres kilometres hours"
).split()
# Nested entities (a "billion laughs" in small): the XML parser must refuse or bound them.
_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    b'<rss version="2.0"><channel><item><description>&d;&d;&d;</description></item></channel></rss>'
)
_NAMES = (
    "Valdrisa Korvenholm Ashbury Tellamar Quenby Orlith Marwick Penhallow Drusk Elmcrest".split()
)


@dataclass(frozen=True, slots=True)
class Hostile:
    """One generated input: the family that made it, the file name suffix, the bytes."""

    family: str
    suffix: str
    data: bytes


def good_article(rnd: random.Random, number: int) -> str:
    """A plain-text article of random sentences: unique, prose, nothing a cleaner removes."""
    town = f"{rnd.choice(_NAMES)}{number}"
    sentences = []
    for _ in range(rnd.randint(6, 10)):
        words = [rnd.choice(_WORDS) for _ in range(rnd.randint(9, 16))]
        sentences.append(f"In {town} the " + " ".join(words) + ".")
    return " ".join(sentences) + "\n"


def _prose(rnd: random.Random, sentences: int = 4) -> str:
    return " ".join(
        "The " + " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(8, 14))) + "."
        for _ in range(sentences)
    )


def _page(rnd: random.Random, body: str | None = None) -> str:
    body = body if body is not None else "".join(f"<p>{_prose(rnd)}</p>" for _ in range(3))
    return (
        "<!doctype html><html><head><title>Harbour news</title>"
        '<meta property="article:published_time" content="2024-03-02T10:00:00Z"></head>'
        f"<body><article><h1>Bridge reopens</h1>{body}</article></body></html>"
    )


def _rss(rnd: random.Random, items: int = 3, item: str | None = None) -> str:
    entries = "".join(
        item
        or f"<item><title>Item {n}</title><link>https://news.example/{n}</link>"
        f"<pubDate>Sat, 02 Mar 2024 10:00:00 GMT</pubDate><description>{_prose(rnd)}"
        "</description></item>"
        for n in range(items)
    )
    channel = f"<channel><title>Harbour</title>{entries}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


def _atom(rnd: random.Random) -> str:
    return (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Coast</title>'
        "<entry><title>One</title><link href='https://coast.example/1'/>"
        f"<updated>2024-03-02T10:00:00Z</updated><content type='html'>&lt;p&gt;{_prose(rnd)}"
        "&lt;/p&gt;</content></entry></feed>"
    )


def _json_feed(rnd: random.Random, **fields: object) -> str:
    item: dict[str, object] = {
        "id": "1",
        "url": "https://feed.example/1",
        "title": "One",
        "content_text": _prose(rnd),
        "date_published": "2024-03-02T10:00:00Z",
    }
    item.update(fields)
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Feed", "items": [item]}
    )


def _warc(rnd: random.Random, pages: int = 2, gz: bool = False, status: str = "200 OK") -> bytes:
    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=gz)
    for number in range(pages):
        body = _page(rnd).encode()
        http = StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1")
        fixed = {  # the date and id warcio would make up: fixed, so the seed decides all
            "WARC-Date": "2024-03-02T10:00:00Z",
            "WARC-Record-ID": f"<urn:uuid:{uuid.UUID(int=rnd.getrandbits(128))}>",
        }
        record = writer.create_warc_record(
            f"https://crawl.example/{number}",
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict=fixed,
        )
        writer.write_record(record)
    return stream.getvalue()


def _arc(rnd: random.Random) -> bytes:
    body = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + _page(rnd).encode()
    header = (
        b"filedesc://x.arc 0.0.0.0 20240302100000 text/plain 76\n1 0 Test\n"
        b"URL IP-address Archive-date Content-type Archive-length\n\n"
    )
    record = f"https://arc.example/1 127.0.0.1 20240302100000 text/html {len(body)}\n".encode()
    return header + record + body + b"\n"


def _deep(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


def _mutate(rnd: random.Random, data: bytes) -> bytes:
    """A random damage: flips, a cut, a splice of junk, a repeated slice or dropped bytes."""
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        if not buf:
            break
        how = rnd.randrange(6)
        at = rnd.randrange(len(buf))
        if how == 0:
            buf[at] ^= 1 << rnd.randrange(8)
        elif how == 1:
            del buf[at:]
        elif how == 2:
            buf[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 40)))
        elif how == 3:
            piece = bytes(buf[at : at + rnd.randint(1, 30)])
            buf[at:at] = piece * rnd.randint(2, 200)
        elif how == 4:
            del buf[at : at + rnd.randint(1, 50)]
        else:
            buf[at:at] = rnd.choice(
                [b"\x00", b"\xed\xa0\x80", b"\xff\xfe", b"\\ud800", b"]]>", b"<![CDATA[", b"&#0;"]
            )
    return bytes(buf)


def _runs(rnd: random.Random) -> str:
    unit = rnd.choice(
        [" ", "\t", "a", "A", ".", "A. ", "a-", "a'", "1/", "<", "&", "Ab ", "\u00a0"]
    )
    size = rnd.choice([1000, 5000, 20000, 60000])
    good = _prose(rnd)
    where = rnd.randrange(3)
    run = "w" + unit * (size // len(unit)) + "x"
    return [run + "\n" + good, good + "\n" + run + "\n" + good, good + " " + run + " " + good][
        where
    ]


def _text_families(rnd: random.Random) -> Iterator[tuple[str, str, bytes]]:
    yield "text-run", ".txt", _runs(rnd).encode("utf-8")
    yield "text-binary", ".txt", bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 3000)))
    yield (
        "text-bom",
        ".txt",
        rnd.choice([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xff\xfe\x00\x00"])
        + _prose(rnd).encode(rnd.choice(["utf-8", "utf-16-le", "latin-1"]), "replace"),
    )
    yield (
        "text-control",
        ".txt",
        (_prose(rnd) + "".join(chr(rnd.randrange(32)) for _ in range(200))).encode(),
    )
    yield "text-surrogate-bytes", ".txt", _prose(rnd).encode() + b" \xed\xa0\x80\xed\xbf\xbf end."
    yield "text-rtl", ".md", ("\u202e" + _prose(rnd) + "\u2066\u0301" * 50 + " 🚀" * 30).encode()
    yield "text-blank", ".txt", rnd.choice([b"", b" ", b"\n\n\n", b"\r\n" * 1000, b"\x0c"])
    yield "text-mutated", ".txt", _mutate(rnd, (_prose(rnd, 6) + "\n").encode())


def _html_families(rnd: random.Random) -> Iterator[tuple[str, str, bytes]]:
    n = rnd.choice([100, 2000, 20000, 60000])
    attrs = " ".join(f'a{i}="v"' for i in range(n))
    yield (
        "html-attributes",
        ".html",
        _page(rnd, f"<div {attrs}><p>{_prose(rnd)}</p></div>").encode(),
    )
    yield (
        "html-links",
        ".html",
        _page(rnd, f"<p>{_prose(rnd)}</p>" + "<a href='/x'>l</a> " * n).encode(),
    )
    yield (
        "html-nesting",
        ".html",
        _page(rnd, "<div>" * (n // 10) + _prose(rnd) + "</div>" * (n // 10)).encode(),
    )
    yield (
        "html-math-root",
        ".html",
        rnd.choice(
            [
                b"<math id=content></html>",
                b"<svg id=main></svg></html>",
                b"<p>",
                b"<html>",
                b"</html>",
            ]
        ),
    )
    yield (
        "html-soup",
        ".htm",
        "".join(
            rnd.choice(
                [
                    "<p>",
                    "</div>",
                    "<table>",
                    "<td",
                    ">",
                    "<!--",
                    "-->",
                    "<script>",
                    "</script>",
                    "&amp",
                    "&#x110000;",
                    _prose(rnd, 1),
                ]
            )
            for _ in range(rnd.randint(5, 400))
        ).encode(),
    )
    yield (
        "html-charset",
        ".html",
        _page(rnd)
        .replace(
            "<head>",
            f"<head><meta charset='{rnd.choice(['x-bogus', 'utf-7', 'utf-32', chr(0), 'ébc'])}'>",
        )
        .encode("utf-8", "surrogatepass"),
    )
    ld = rnd.choice(
        [
            _deep(5000, '{"a":', "}").replace("}", "", 1),
            "[" * 5000,
            '{"datePublished": ' + "9" * 5000 + "}",
            '{"@type": "NewsArticle", "datePublished": "0001-01-01"}',
            '{"@type": ["NewsArticle", 5], "author": 7}',
        ]
    )
    yield (
        "html-jsonld",
        ".html",
        _page(rnd)
        .replace("</head>", f"<script type='application/ld+json'>{ld}</script></head>")
        .encode(),
    )
    yield (
        "html-dates",
        ".html",
        _page(rnd)
        .replace(
            "2024-03-02T10:00:00Z",
            rnd.choice(
                ["0001-01-01", "9999-12-31T23:59:59-14:00", "99999-01-01", "2024-13-45", "-1"]
            ),
        )
        .encode(),
    )
    yield (
        "html-gzip",
        ".html.gz",
        rnd.choice(
            [
                gzip.compress(mtime=0, data=_page(rnd).encode())[: -rnd.randint(1, 30)],
                b"\x1f\x8b\x08junk",
                gzip.compress(mtime=0, data=b"<p>" + b"a" * 100000),
            ]
        ),
    )
    yield "html-mutated", ".html", _mutate(rnd, _page(rnd).encode())


def _jsonl_families(rnd: random.Random) -> Iterator[tuple[str, str, bytes]]:
    text = json.dumps(_prose(rnd))
    lines = [
        _deep(rnd.choice([100, 1000, 100000])),
        '{"text": ' + text + ', "x": ' + "[" * 3000 + "]" * 3000 + "}",
        '{"text": ' + text + ', "n": ' + "9" * rnd.choice([4301, 5000, 100000]) + "}",
        '{"text": ' + text[:-1] + ' \\ud800"}',
        '{"text": ' + text + ', "title": "\\udfff"}',
        '{"text": ' + text + ', "outlet": "\\ud800\\u202e"}',
        '{"text": '
        + text
        + ', "published": "'
        + rnd.choice(
            [
                "0001-01-01",
                "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59:59-14:00",
                "2024-02-30",
                "x",
            ]
        )
        + '"}',
        '{"text": ' + rnd.choice(["5", "[]", "{}", "null", "true", '""', '"\\u0000"']) + "}",
        '{"text": '
        + text
        + ', "'
        + rnd.choice(["title", "url", "outlet", "published"])
        + '": '
        + rnd.choice(["5", "[1]", "{}", "true", "1e999"])
        + "}",
        rnd.choice(["[1, 2]", '"text"', "5", "null", "{", '{"text": "a"', "\x00", "\ufeff{}"]),
    ]
    chosen = rnd.sample(lines, rnd.randint(1, 3))
    yield "jsonl-hostile", ".jsonl", "\n".join(chosen).encode("utf-8", "surrogatepass")
    good = json.dumps({"text": _prose(rnd, 5), "title": "A title", "published": "2024-03-02"})
    yield "jsonl-mutated", ".jsonl", _mutate(rnd, good.encode())


def _feed_families(rnd: random.Random) -> Iterator[tuple[str, str, bytes]]:
    yield (
        "rss-items",
        ".rss",
        _rss(
            rnd,
            rnd.choice([0, 1, 150, 3000]),
            "<item><description>x</description></item>" if rnd.random() < 0.5 else None,
        ).encode(),
    )
    yield (
        "rss-nul",
        ".xml",
        rnd.choice(
            [
                b'<?xml version="1.0" encoding="x-nul\x00"?><rss/>',
                b"<rss version='2.0'>\x00</rss>",
                b"\xff\xfe<\x00r\x00",
                b'<?xml version="1.0" encoding="utf-16"?>' + _rss(rnd).encode(),
            ]
        ),
    )
    yield (
        "rss-entities",
        ".xml",
        _LAUGHS,
    )
    yield (
        "rss-dates",
        ".rss",
        _rss(rnd)
        .replace(
            "Sat, 02 Mar 2024 10:00:00 GMT",
            rnd.choice(
                [
                    "Mon, 01 Jan 0001 00:00:00 +1400",
                    "Fri, 31 Dec 9999 23:59:59 -1400",
                    "0000-00-00",
                    "garbage",
                ]
            ),
        )
        .encode(),
    )
    yield "rss-mutated", ".rss", _mutate(rnd, _rss(rnd).encode())
    yield "atom-mutated", ".atom", _mutate(rnd, _atom(rnd).encode())
    wrong = rnd.choice(
        [
            {"authors": 5},
            {"authors": [5, None, {"name": 7}]},
            {"title": [1]},
            {"url": {"a": 1}},
            {"content_html": 5},
            {"date_published": 5},
            {"language": ["en"]},
            {"content_text": "\ud800"},
            {"date_published": "0001-01-01T00:00:00+14:00"},
        ]
    )
    yield "jsonfeed-types", ".json", _json_feed(rnd, **wrong).encode("utf-8", "surrogatepass")
    yield (
        "jsonfeed-shape",
        ".json",
        rnd.choice(
            [
                '{"version": "https://jsonfeed.org/version/1.1", "items": '
                + _deep(rnd.choice([100, 3000]))
                + "}",
                '{"version": "https://jsonfeed.org/version/1.1", "items": 5, "authors": 5}',
                '{"version": 5}',
                "[]",
                '{"version": "https://jsonfeed.org/version/1", "items": ['
                + ",".join(["5"] * 3000)
                + "]}",
                '{"version": "https://jsonfeed.org/version/1.1", "items": '
                '[{"content_text": "x", "n": ' + "1" * 5000 + "}]}",
            ]
        ).encode(),
    )
    yield "jsonfeed-mutated", ".json", _mutate(rnd, _json_feed(rnd).encode())


def _archive_families(rnd: random.Random) -> Iterator[tuple[str, str, bytes]]:
    gz = rnd.random() < 0.4
    suffix = ".warc.gz" if gz else ".warc"
    good = _warc(rnd, rnd.randint(1, 3), gz)
    yield "warc-mutated", suffix, _mutate(rnd, good)
    yield (
        "warc-shapes",
        ".warc",
        rnd.choice(
            [
                b"",
                b"WARC/1.0\r\n",
                b"WARC/1.0\r\nWARC-Type: response\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n",
                _warc(rnd, 2)[len(b"WARC/1.0\r\n") :],
                _warc(rnd, 2, status=rnd.choice(["abc", "99 OK", "", "200"])),
                _warc(rnd, 1).replace(b"Content-Length: ", b"Content-Length: 9", 1),
                bytes(rnd.randrange(256) for _ in range(500)),
            ]
        ),
    )
    yield "arc-mutated", ".arc", _mutate(rnd, _arc(rnd))


_FAMILIES: tuple[Callable[[random.Random], Iterator[tuple[str, str, bytes]]], ...] = (
    _text_families,
    _html_families,
    _jsonl_families,
    _feed_families,
    _archive_families,
)


def hostile_inputs(seed: int, count: int) -> Iterator[Hostile]:
    """``count`` hostile inputs across every format, the same ones for the same seed."""
    rnd = random.Random(seed)
    made = 0
    while made < count:
        for family in _FAMILIES:
            for name, suffix, data in family(rnd):
                if made >= count:
                    return
                yield Hostile(name, suffix, data)
                made += 1
