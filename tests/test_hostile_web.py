"""Hostile requests to the web app: no 500 from ordinary input, and every answer hardened.

Issue 12, defect 4: absurd ages (``?since=99999999999d``), a visit cookie from the far future,
and ``POST /api/articles`` bodies that break a JSON reader or a date (100k-deep nesting, a
5,000-digit integer, a lone surrogate, a date before the year 1 in UTC) get a 4xx naming the
reason; every response, errors included, carries the Content-Security-Policy and nosniff.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")

from click.testing import CliRunner
from fastapi.testclient import TestClient

from storyfuse.cli import main
from storyfuse.ingestion.service import Ingestion
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store
from storyfuse.web.app import CSP, create_app

from helpers import ROOT, fire_report

TOKEN = "hostile-test-token"
GOOD = {
    "text": "A fire destroyed a warehouse on the Quellbrook quay early on Monday, officials said.",
    "outlet": "Quay Post",
}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "store.db"
    documents, errors = read_inputs([ROOT / "demo" / "corpus"])
    with Store(path) as store:
        Ingestion(store).ingest(documents, errors)
    return path


@pytest.fixture(scope="module")
def story_id(store_path: Path) -> str:
    with Store(store_path) as store:
        return store.stories()[0].id


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    app = create_app(store_path, token=TOKEN)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _hardened(response: Any) -> None:
    assert response.headers.get("content-security-policy") == CSP
    assert response.headers.get("x-content-type-options") == "nosniff"


@pytest.mark.parametrize("path", ["/", "/api/stories", "/stories/{story}", "/api/stories/{story}"])
def test_an_age_beyond_the_calendar_is_a_clear_4xx_or_an_error_note(
    client: TestClient, story_id: str, path: str
) -> None:
    response = client.get(path.format(story=story_id), params={"since": "99999999999d"})
    _hardened(response)
    if path == "/stories/{story}":  # the story is shown, with the problem said above it
        assert response.status_code == 200
        assert "before the year 1" in response.text
    else:
        assert response.status_code == 400
        assert "before the year 1" in response.text


def test_stories_since_an_absurd_age_is_a_usage_error_on_the_command_line(
    store_path: Path,
) -> None:
    result = CliRunner().invoke(
        main, ["stories", "--db", str(store_path), "--since", "99999999999d"]
    )
    assert result.exit_code == 2
    assert "before the year 1" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_visit_cookie_from_the_far_future_is_ignored(client: TestClient, story_id: str) -> None:
    client.cookies.set("storyfuse_seen", f"{story_id}:999999999999")
    try:
        response = client.get(f"/stories/{story_id}")
    finally:
        client.cookies.clear()
    assert response.status_code == 200
    _hardened(response)


HOSTILE_BODIES = {
    "100k-deep JSON": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "5,000-digit integer": ('{"text": "words", "n": ' + "9" * 5000 + "}", "digits"),
    "lone surrogate in outlet": (
        json.dumps({**GOOD, "outlet": "Quay \ud800 Post"}),
        "lone surrogate",
    ),
    "lone surrogate in text": (json.dumps({**GOOD, "text": GOOD["text"] + "\udfff"}), "surrogate"),
    "year 1 east of Greenwich": (
        json.dumps({**GOOD, "published": "0001-01-01T00:00:00+14:00"}),
        "too early",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_hostile_article_bodies_get_a_422_with_the_reason(client: TestClient, name: str) -> None:
    body, reason = HOSTILE_BODIES[name]
    response = client.post(
        "/api/articles",
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert reason in response.text
    _hardened(response)


def test_not_found_and_internal_errors_carry_the_security_headers(store_path: Path) -> None:
    app = create_app(store_path)

    def broken(*_: object) -> None:
        raise RuntimeError("a bug inside a route")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        for path in ("/no/such/page", "/api/no/such/thing", "/api/stories?page=0"):
            response = test_client.get(path)
            assert response.status_code in (404, 422), path
            _hardened(response)
        app.state.site.connection = broken
        for path in ("/stories/x", "/api/stories/x"):
            response = test_client.get(path)
            assert response.status_code == 500
            assert "a bug inside a route" not in response.text
            _hardened(response)


def test_feeds_and_page_links_use_the_configured_base_url_not_the_host_header(
    store_path: Path,
) -> None:
    app = create_app(store_path, base_url="https://news.example/storyfuse/")
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    with TestClient(app) as test_client:
        atom = test_client.get("/feed.xml", headers=evil).text
        feed = test_client.get("/feed.json", headers=evil).json()
        page = test_client.get("/api/stories", params={"per_page": 1}, headers=evil).json()
    assert "evil.example" not in atom and "evil.example" not in json.dumps(feed)
    assert "<id>https://news.example/storyfuse/</id>" in atom
    assert feed["feed_url"] == "https://news.example/storyfuse/feed.json"
    assert all(
        item["id"].startswith("https://news.example/storyfuse/stories/") for item in feed["items"]
    )
    assert page["next"].startswith("https://news.example/storyfuse/api/stories?")


def test_a_base_url_that_is_not_http_is_refused(store_path: Path) -> None:
    with pytest.raises(ValueError, match="http"):
        create_app(store_path, base_url="javascript:alert(1)")
    result = CliRunner().invoke(
        main, ["serve", "--db", str(store_path), "--base-url", "ftp://x.example"]
    )
    assert result.exit_code == 2 and "--base-url" in result.output


RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"


def test_balanced_bidi_keeps_closed_controls_and_drops_the_others() -> None:
    from storyfuse.web.bidi import balanced_bidi

    assert balanced_bidi(f"Evil{RLO}sweN") == "EvilsweN"
    assert (
        balanced_bidi(f"{RLO}kept{PDF} and {RLI}kept{PDI}") == f"{RLO}kept{PDF} and {RLI}kept{PDI}"
    )
    assert balanced_bidi(f"stray{PDF} close{PDI}") == "stray close"
    assert balanced_bidi(f"{RLI}{RLO}inner{PDI}") == f"{RLI}{RLO}inner{PDI}"  # PDI ends both
    assert balanced_bidi(f"{RLO}{RLI}open{PDF}") == "open"  # PDF cannot reach past RLI


def test_bidi_controls_in_outlet_names_are_isolated_on_pages_and_in_feeds(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bidi.db"
    reports = [fire_report("Quellbrook", "quay", k) for k in range(3)]
    names = [f"Evil{RLO}sweN", f"{RLO}{RLO}Twice", "Plain Post"]
    documents = [dataclasses.replace(r, outlet=n) for r, n in zip(reports, names, strict=True)]
    with Store(path) as store:
        Ingestion(store).ingest(documents)
        story = store.stories()[0].id
        article = store.story_articles(story)[0].id
    with TestClient(create_app(path)) as test_client:
        pages = {
            url: test_client.get(url).text
            for url in (
                "/",
                "/?single=1",
                f"/stories/{story}",
                f"/articles/{article}",
                "/search?q=warehouse",
                "/outlets",
                "/feed.xml",
                "/feed.json",
            )
        }
    for url, text in pages.items():
        assert RLO not in text, url  # none of these overrides is closed: all dropped
    assert "<bdi>EvilsweN</bdi>" in pages[f"/stories/{story}"]
    assert "<bdi>Twice</bdi>" in pages[f"/stories/{story}"]
    assert "<bdi>EvilsweN</bdi>" in pages["/search?q=warehouse"]
