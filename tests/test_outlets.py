"""The outlet directory: bundled entries, user overrides, naming, coverage, /outlets, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store
from storyfuse.stories.outlets import (
    KINDS,
    OutletDirectory,
    OutletError,
    bundled_outlets,
    parse_outlets,
)

from helpers import ROOT

DEMO = ROOT / "demo" / "corpus"
DEMO_OUTLETS = ROOT / "demo" / "outlets.csv"
UNKNOWN = RawDocument(
    source="unknown.jsonl:1",
    title="Quellbrook tide gauge gets a new sensor",
    outlet="Quellbrook Gazette | quellbrook.example",
    url="https://news.quellbrook.example/2025/07/01/tide-gauge",
    published=dt.date(2025, 7, 1),
    text=(
        "The Quellbrook tide gauge got a new sensor on Tuesday, the harbour office said.\n\n"
        "Engineers from the harbour office fitted the sensor at low tide and tested it twice."
    ),
)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_bundled_directory_has_300_complete_english_entries() -> None:
    outlets = bundled_outlets()
    assert len(outlets) >= 300
    assert len({o.name for o in outlets}) == len(outlets)
    domains = [d for o in outlets for d in o.domains]
    assert len(set(domains)) == len(domains), "a domain names one outlet"
    for o in outlets:
        assert o.domains and o.country and o.owner, o
        assert o.language == "en" and o.kind in KINDS, o
        assert o.source.startswith("https://"), o
    assert {o.kind for o in outlets} == set(KINDS)


def test_outlets_are_named_by_domain_site_name_or_name() -> None:
    directory = OutletDirectory(bundled_outlets())
    assert directory.display_name("cleveland") == "Cleveland.com"
    assert directory.display_name("The Jerusalem Post | JPost.com") == "The Jerusalem Post"
    assert directory.display_name(None, "https://www.bbc.co.uk/news/uk-1") == "BBC News"
    assert directory.display_name("Reuters", "https://uk.reuters.com/article/x") == "Reuters"
    found = directory.find(None, "https://apnews.com/article/x")
    assert found is not None and found.kind == "wire service" and found.country == "United States"


def test_unknown_outlets_are_shown_by_their_site_name() -> None:
    directory = OutletDirectory(bundled_outlets())
    assert directory.find(UNKNOWN.outlet, UNKNOWN.url) is None
    assert directory.display_name(UNKNOWN.outlet, UNKNOWN.url) == "Quellbrook Gazette"
    assert directory.display_name(None, UNKNOWN.url) == "news.quellbrook.example"
    coverage = directory.coverage([(UNKNOWN.outlet, UNKNOWN.url)])
    assert coverage.unknown == ("Quellbrook Gazette",)
    assert coverage.by_country == () and coverage.blind_spots == (), "nothing known, nothing said"


def test_a_user_file_overrides_the_bundled_entry(tmp_path: Path) -> None:
    user = tmp_path / "outlets.csv"
    user.write_text(
        "name,domains,country,language,kind,owner,source\n"
        "Reuters,reuters.com,Canada,en,national,Someone Else,https://example.org/reuters\n"
        "Quellbrook Gazette,quellbrook.example,Ireland,en,local,Gazette Trust,https://example.org/q\n",
        encoding="utf-8",
    )
    directory = OutletDirectory.load(user)
    reuters = directory.find("Reuters")
    assert reuters is not None and reuters.country == "Canada" and reuters.kind == "national"
    assert [o.name for o in directory.outlets].count("Reuters") == 1
    assert directory.display_name(UNKNOWN.outlet, UNKNOWN.url) == "Quellbrook Gazette"
    gazette = directory.find(UNKNOWN.outlet, UNKNOWN.url)
    assert gazette is not None and gazette.kind == "local"
    assert len(directory.outlets) == len(bundled_outlets()) + 1
    assert OutletDirectory.load(tmp_path / "absent.csv").find("Reuters").country == (  # type: ignore[union-attr]
        "United Kingdom"
    )


def test_a_bad_user_file_is_an_error_naming_the_file_and_row(tmp_path: Path) -> None:
    user = tmp_path / "outlets.csv"
    user.write_text("name,domains,kind\nFoo,foo.example,tabloid\n", encoding="utf-8")
    with pytest.raises(OutletError, match=r"outlets.csv: row 2: unknown kind 'tabloid'"):
        OutletDirectory.load(user)
    with pytest.raises(OutletError, match="no name or domains column"):
        parse_outlets("title\nx\n", "f.csv")
    code, _, err = _run("outlets", "list", "--file", str(user))
    assert code == 1 and "unknown kind" in err


def test_cli_lists_shows_sets_and_unsets(tmp_path: Path) -> None:
    user = str(tmp_path / "mine" / "outlets.csv")
    code, out, err = _run("outlets", "list", "--kind", "wire service", "--file", user)
    assert code == 0 and "Reuters  [wire service, United Kingdom]" in out
    assert "0 from" in err
    code, out, _ = _run("outlets", "show", "jpost.com", "--file", user)
    assert code == 0 and "name: The Jerusalem Post" in out and "country: Israel" in out
    code, _, err = _run("outlets", "set", "Reuters", "--country", "Canada", "--file", user)
    assert code == 0 and "overrides Reuters" in err
    code, out, _ = _run("outlets", "show", "reuters", "--file", user)
    assert "country: Canada" in out and "kind: wire service" in out, "other fields kept"
    code, out, _ = _run("outlets", "list", "--json", "--file", user)
    assert [o["country"] for o in json.loads(out) if o["name"] == "Reuters"] == ["Canada"]
    code, _, err = _run(
        "outlets", "set", "Quellbrook Gazette", "--domains", "quellbrook.example",
        "--kind", "local", "--country", "Ireland", "--file", user,
    )  # fmt: skip
    assert code == 0 and "adds Quellbrook Gazette" in err
    code, _, _ = _run("outlets", "unset", "Reuters", "--file", user)
    code, out, _ = _run("outlets", "show", "reuters", "--file", user)
    assert code == 0 and "country: United Kingdom" in out, "the bundled entry is back"
    code, _, err = _run("outlets", "unset", "Nobody", "--file", user)
    assert code == 1 and "not in" in err
    code, _, err = _run("outlets", "set", "X", "--kind", "tabloid", "--file", user)
    assert code == 2


# -- coverage of the demo corpus -------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("outlets") / "store.db"
    documents, errors = read_inputs([DEMO])
    with Store(db) as store:
        Ingestion(store).ingest([*documents, UNKNOWN], errors)
    return db


def _coverages(db: Path, directory: OutletDirectory) -> dict[str, Any]:
    with Store(db) as store:
        return {
            row.headline.split()[0]: directory.coverage(
                (a.outlet, a.url) for a in store.story_articles(row.id)
            )
            for row in store.stories()
        }


def test_story_coverage_by_country_and_kind_on_the_demo_corpus(demo_store: Path) -> None:
    coverage = _coverages(demo_store, OutletDirectory.load(DEMO_OUTLETS))
    tunnel, rates, fire = coverage["Orsegg"], coverage["Bank"], coverage["Warehouse"]
    assert [name for name, _ in tunnel.outlets] == [
        "Hohenbruck Post",
        "Northbank Observer",
        "The Daily Ledger",
        "The Valdrisa Tribune",
    ]
    assert tunnel.by_country == (("Orsmark", 2), ("Velmora", 2))
    assert tunnel.by_kind == (("national", 2), ("local", 2))
    assert tunnel.blind_spots == ("no wire service",)
    assert rates.by_country == (("Velmora", 4),)
    assert rates.by_kind == (("national", 3), ("magazine", 1))
    assert rates.blind_spots == ("no wire service", "only one country (Velmora)")
    # the unsourced report names no outlet: it is not an outlet of the story
    assert [name for name, _ in fire.outlets] == [
        "Evening Star",
        "Harbour Courier",
        "The Daily Ledger",
    ]
    assert fire.by_kind == (("national", 1), ("local", 2))
    quellbrook = coverage["Quellbrook"]
    assert quellbrook.unknown == ("Quellbrook Gazette",) and quellbrook.blind_spots == ()


def test_story_page_and_outlets_page_show_who_is_reporting(demo_store: Path) -> None:
    pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")
    import lxml.html
    from fastapi.testclient import TestClient

    from storyfuse.web.app import create_app

    with Store(demo_store) as store:
        ids = {row.headline.split()[0]: row.id for row in store.stories()}
    app = create_app(demo_store, outlets=OutletDirectory.load(DEMO_OUTLETS))
    with TestClient(app) as client:
        page = lxml.html.fromstring(client.get(f"/stories/{ids['Bank']}").text)
        (who,) = page.cssselect("section.who")
        text = " ".join(who.text_content().split())
        assert "By country: Velmora 4." in text and "By kind: national 3, magazine 1." in text
        assert "Blind spots: no wire service; only one country (Velmora)." in text
        unknown = lxml.html.fromstring(client.get(f"/stories/{ids['Quellbrook']}").text)
        chips = [c.text_content().strip() for c in unknown.cssselect("section.who li.chip")]
        assert chips == ["Quellbrook Gazette"]
        assert "None of these outlets is in the" in unknown.text_content()
        listing = lxml.html.fromstring(client.get("/outlets?kind=wire+service").text)
        names = [
            li.cssselect("strong")[0].text_content() for li in listing.cssselect(".outlet-list li")
        ]
        assert "Reuters" in names and "Meridian Press Agency" in names and "CNN" not in names
        assert "Quellbrook Gazette" in listing.cssselect("section")[0].text_content()
        searched = lxml.html.fromstring(client.get("/outlets?q=jpost").text)
        assert [
            li.cssselect("strong")[0].text_content() for li in searched.cssselect(".outlet-list li")
        ] == ["The Jerusalem Post"]
