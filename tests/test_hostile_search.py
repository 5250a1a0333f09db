"""Search under hostile queries (issue 12, defect 3): bounded in shape and in time.

The query is cut to a few terms before it reaches the database, and the database stops any
search that runs past ``SEARCH_SECONDS`` (SQLite's progress handler, PostgreSQL's statement
timeout). Timing on a 10,000-article store is ``benchmarks/search_bench.py``'s business.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.ingestion.service import Ingestion
from storyfuse.sources.inputs import read_inputs
from storyfuse.store import article_search as store_module
from storyfuse.store.database import Database, QueryTimeout
from storyfuse.store.search_query import MAX_PREFIXES, MAX_QUERY_CHARS, MAX_TERMS, parse_query
from storyfuse.store.store import SearchTooCostly, Store

from helpers import ROOT, store_target

SLOW_SQL = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
    "SELECT COUNT(*) FROM (SELECT i FROM n LIMIT 1000000000)",
    "postgresql": "SELECT pg_sleep(5)",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    target = store_target(request.param, tmp_path)
    documents, errors = read_inputs([ROOT / "demo" / "corpus"])
    with Store(target) as store:
        Ingestion(store).ingest(documents, errors)
        yield store


@pytest.mark.parametrize(
    "text",
    [
        " ".join(["a*"] * 300),
        " ".join(["fire*"] * 300),
        "NEAR(" + " ".join(["fire"] * 300) + ")",
        '"' + " ".join(["quay"] * 300) + '"',
        " OR ".join(["fir*"] * 300),
    ],
)
def test_a_hostile_query_is_cut_to_a_few_terms_before_the_database(text: str) -> None:
    query = parse_query(text)
    terms = [term for group in query.groups for term in group]
    assert len(terms) <= MAX_TERMS
    assert sum(t.prefix or t.also_longer for t in terms) <= MAX_PREFIXES
    assert sum(len(t.words) for t in terms) <= MAX_QUERY_CHARS


def test_a_statement_past_its_time_limit_is_stopped_in_time(demo_store: Store) -> None:
    database: Database = demo_store.db
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        database.read_within(0.3, SLOW_SQL[database.dialect])
    assert time.monotonic() - started < 2.0
    assert demo_store.search("fire")  # the connection is usable afterwards
    assert database.read_within(1.0, "SELECT 1")[0][0] == 1


def test_a_search_past_its_time_is_a_clear_error(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if demo_store.db.dialect == "postgresql":
        pytest.skip("no demo search outlasts PostgreSQL's least timeout (1 ms) for sure")
    monkeypatch.setattr(store_module, "SEARCH_SECONDS", 0.0)
    with pytest.raises(SearchTooCostly, match="stopped after"):
        demo_store.search("fire OR quay OR harbour")
    monkeypatch.setattr(store_module, "SEARCH_SECONDS", 1.0)
    assert demo_store.search("fire OR quay OR harbour")


def test_search_past_its_time_on_the_command_line_and_the_web(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")
    from fastapi.testclient import TestClient

    from storyfuse.web.app import create_app

    path = tmp_path / "stories.db"
    documents, errors = read_inputs([ROOT / "demo" / "corpus"])
    with Store(path) as store:
        Ingestion(store).ingest(documents, errors)
    monkeypatch.setattr(store_module, "SEARCH_SECONDS", 0.0)
    result = CliRunner().invoke(main, ["search", "fire", "--db", str(path)])
    assert result.exit_code == 1
    assert "stopped after" in result.output and "Traceback" not in result.output
    with TestClient(create_app(path), raise_server_exceptions=False) as client:
        api = client.get("/api/search", params={"q": "fire"})
        page = client.get("/search", params={"q": "fire"})
    assert api.status_code == 400 and "stopped after" in api.json()["detail"]
    assert page.status_code == 400 and "stopped after" in page.text


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        (" ".join(["a*"] * 300), [[("a",)]]),
        ("fire quay fire", [[("fire",)], [("quay",)]]),
        ("fire fire OR flood", [[("fire",)]]),  # fire and (fire or flood) is fire
        ("fire OR flood fire", [[("fire",), ("flood",)], [("fire",)]]),
    ],
)
def test_a_repeated_term_is_read_once(text: str, groups: list[list[tuple[str, ...]]]) -> None:
    read = parse_query(text)
    assert [[term.words for term in group] for group in read.groups] == groups
    assert read.dropped == 0


def test_repeating_a_term_finds_what_the_term_finds(demo_store: Store) -> None:
    once = [hit.article for hit in demo_store.search("fire quay")]
    assert once
    assert [hit.article for hit in demo_store.search("fire quay fire quay fire")] == once
    assert [hit.article for hit in demo_store.search("fire fire OR nothingmatches quay")] == once
