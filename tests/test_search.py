"""Search accepts what people type: on SQLite and PostgreSQL, from the CLI, the API and the page."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from storyfuse.cli import main
from storyfuse.store.search_query import MAX_PREFIXES, MAX_TERMS, SearchTerm, parse_query
from storyfuse.store.store import Store

from helpers import PG_URL, store_target

ARTICLES = [
    {
        "id": "qaida",
        "title": "Raid on an al-Qaida cell",
        "outlet": "Harbour Courier",
        "published": "2025-03-02T09:00:00+00:00",
        "text": "Forces raided a cell linked to al-Qaida near the border on Sunday, aides said. "
        "The operation followed months of surveillance by U.S. and allied agencies.",
    },
    {
        "id": "summit",
        "title": "Trump-Putin summit set for June",
        "outlet": "The Daily Ledger",
        "published": "2025-03-03T09:00:00+00:00",
        "text": "The Trump-Putin meeting will take place in June, aides said on Monday. "
        "Syrian refugees and sanctions are expected to be on the agenda of the talks.",
    },
    {
        "id": "obrien",
        "title": "O'Brien named harbour master",
        "outlet": "Saltmere Gazette",
        "published": "2025-03-04T09:00:00+00:00",
        "text": "Ciaran O'Brien was named harbour master of the port on Tuesday. "
        "He said the quay would reopen to cargo ships within a month of repairs.",
    },
    {
        "id": "lawsuit",
        "title": "Residents take quarry owners to court",
        "outlet": "Saltmere Gazette",
        "published": "2025-03-05T09:00:00+00:00",
        "text": "Residents are suing the owners of the quarry over the dust, their lawyer said. "
        "A first hearing is set for May at the county court.",
    },
]

# What a reader types -> the articles it must find (at least), never an error.
QUERIES: dict[str, set[str]] = {
    "al-qaida": {"qaida"},
    "trump-putin": {"summit"},
    "u.s.": {"qaida"},
    "o'brien": {"obrien"},
    '"cargo ships': {"obrien"},
    'quay "': {"obrien"},
    "NEAR(": set(),
    "*": set(),
    "syria": {"summit"},
    "raids": {"qaida"},
    "harb*": {"obrien"},
    "sanctions OR surveillance": {"qaida", "summit"},
    "((( fire AND": set(),
}


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _engines() -> list[object]:
    marks = pytest.mark.skipif(
        not PG_URL, reason="STORYFUSE_TEST_PG is not set (no PostgreSQL server to test against)"
    )
    return ["sqlite", pytest.param("postgresql", marks=marks)]


@pytest.fixture(scope="module", params=_engines())
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("search")
    url = store_target(request.param, folder, "s.db")
    corpus = folder / "articles.jsonl"
    corpus.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    code, _, err = _run("ingest", str(corpus), "--db", url)
    assert code == 0, err
    yield url


def _found(hits: list[dict[str, object]]) -> set[str]:
    by_title = {a["title"]: a["id"] for a in ARTICLES}
    return {str(by_title[str(hit["title"])]) for hit in hits}


@pytest.mark.parametrize("query", list(QUERIES))
def test_the_cli_finds_what_people_type(db: str, query: str) -> None:
    code, out, err = _run("search", query, "--db", db, "--json")
    assert code == 0, err
    hits = json.loads(out)
    assert _found(hits) >= QUERIES[query]
    assert all(hit["published"] and hit["outlet"] for hit in hits)


def test_a_word_the_stemmer_cuts_finds_its_forms_not_every_word_of_its_stem(db: str) -> None:
    # "suing" is stored as "su": as a prefix it would find "summit", "surveillance", "such"...
    for query in ("suing", "sued"):
        code, out, err = _run("search", query, "--db", db, "--json")
        assert code == 0, err
        assert _found(json.loads(out)) == {"lawsuit"}, query
    code, out, _ = _run("search", "syria", "--db", db, "--json")  # kept whole: finds "syrian"
    assert _found(json.loads(out)) == {"summit"}


def test_a_search_ranks_the_newest_matches_only(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # every article says "said": with a pool of two, the hits are the two newest stored
    with Store(db) as store:
        newest = [
            row[0]
            for row in store.db.execute(
                "SELECT title FROM articles ORDER BY seq DESC LIMIT 2"
            ).fetchall()
        ]
        assert {hit.title for hit in store.search("said", 10)} == {a["title"] for a in ARTICLES}
        monkeypatch.setattr("storyfuse.store.article_search.RANKED_MATCHES", 2)
        hits = store.search("said", 10)
        assert sorted(str(hit.title) for hit in hits) == sorted(newest)
        assert len(store.search("said", 1)) == 1


def test_plain_words_must_all_match_and_results_show_outlet_and_date(db: str) -> None:
    code, out, _ = _run("search", "cargo border", "--db", db)
    assert code == 0 and out == ""
    code, out, _ = _run("search", "cargo quay", "--db", db)
    assert "Saltmere Gazette, 2025-03-04: O'Brien named harbour master" in out


def test_the_api_and_the_page_answer_200_with_hits(db: str) -> None:
    pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")
    import lxml.html
    from fastapi.testclient import TestClient

    from storyfuse.web.app import create_app

    with TestClient(create_app(db)) as client:
        for query, expected in QUERIES.items():
            api = client.get("/api/search", params={"q": query})
            assert api.status_code == 200, (query, api.text)
            assert _found(api.json()["articles"]) >= expected, query
            page = client.get("/search", params={"q": query})
            assert page.status_code == 200, query
            titles = {
                link.text_content()
                for link in lxml.html.fromstring(page.text).cssselect(
                    '.results a[href^="/articles/"]'
                )
            }
            assert {a["id"] for a in ARTICLES if a["title"] in titles} >= expected, query
        page = lxml.html.fromstring(client.get("/search", params={"q": "o'brien"}).text)
        (hit,) = page.cssselect("section[aria-labelledby=articles-h] li")
        assert "Saltmere Gazette" in hit.text_content()
        assert hit.cssselect("time[datetime^='2025-03-04']")


def test_a_long_query_uses_its_first_terms_and_says_so(db: str) -> None:
    many = " ".join(["quay"] + [f"w{i}" for i in range(40)])
    parsed = parse_query(many)
    assert len(parsed.groups) == MAX_TERMS and parsed.dropped == 41 - MAX_TERMS
    pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")
    from fastapi.testclient import TestClient

    from storyfuse.web.app import create_app

    with TestClient(create_app(db)) as client:
        page = client.get("/search", params={"q": many})
    assert page.status_code == 200
    assert f"Only the first {MAX_TERMS} terms" in page.text


def test_queries_are_read_into_terms_of_word_characters() -> None:
    assert parse_query("al-qaida").groups == ((SearchTerm(("al", "qaida")),),)
    assert parse_query("U.S.").groups == ((SearchTerm(("u", "s")),),)
    assert parse_query('"cargo ships').groups == ((SearchTerm(("cargo", "ships")),),)
    assert parse_query("fire OR flood").groups == (
        (SearchTerm(("fire",), also_longer=True), SearchTerm(("flood",), also_longer=True)),
    )
    assert parse_query("ha*").groups == ((SearchTerm(("ha",)),),), "too short to be a prefix"
    assert parse_query("NEAR( * AND OR").words == ("near",)
    assert parse_query(" * ( ) \" ' ").empty
    prefixes = parse_query(" ".join(f"abc{i}*" for i in range(10)))
    assert sum(term.prefix for (term,) in prefixes.groups) == MAX_PREFIXES


def test_any_text_is_a_query_both_databases_run(db: str) -> None:
    with Store(db) as store:

        @settings(max_examples=200, deadline=None)
        @given(st.text(max_size=120))
        def search_anything(text: str) -> None:
            assert isinstance(store.search(text), list)

        search_anything()
