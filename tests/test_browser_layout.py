"""The reader's view on a phone and on a desktop, in headless Chromium.

At 360 px and 1,280 px wide no page scrolls sideways (the document is no wider
than the viewport), a story page shows its summary in the first screen, and a
demo story page is at most 2,500 px tall at 1,280 px with its disclosures
closed. The store is the demo corpus with the demo's outlet file. Screenshots
of every page at both widths go to ``test-artifacts/layout/``;
``docs/home-phone.png`` and ``docs/story-desktop.png`` (in the README) are
written when missing or when ``STORYFUSE_UPDATE_SCREENSHOT=1``.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright's Python package (pip: playwright)"
)
pytest.importorskip("uvicorn", reason="the web app needs the 'web' extra")

import uvicorn

from storyfuse.ingestion.service import Ingestion
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store
from storyfuse.stories.outlets import OutletDirectory
from storyfuse.web.app import create_app
from test_browser import ARTIFACTS, Watched, _free_port, launch_chromium
from test_web import DEMO, HOSTILE

from helpers import ROOT

SHOTS = ARTIFACTS / "layout"
WIDTHS = {"phone": (360, 740), "desktop": (1280, 800)}
MAX_STORY_HEIGHT = 2500
README_SHOTS = {("home", "phone"): "home-phone.png", ("story-1", "desktop"): "story-desktop.png"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    db = tmp_path_factory.mktemp("layout") / "store.db"
    documents, errors = read_inputs([DEMO])
    with Store(db) as store:
        Ingestion(store).ingest([*documents, HOSTILE], errors)
        stories = [row.id for row in store.stories() if row.size > 1]
        article = store.story_articles(stories[0])[0].id
    app = create_app(db, outlets=OutletDirectory.load(ROOT / "demo" / "outlets.csv"))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    pages = {
        "home": "/",
        "home-all": "/?single=1",
        **{f"story-{n}": f"/stories/{sid}" for n, sid in enumerate(stories, start=1)},
        "article": f"/articles/{article}",
        "search": "/search?q=fire",
        "outlets": "/outlets",
    }
    yield {"base": f"http://127.0.0.1:{port}", "pages": pages}
    server.should_exit = True
    thread.join(timeout=10)


def _measure(page: Any) -> dict[str, float]:
    measured: dict[str, float] = page.evaluate(
        """() => ({
            documentWidth: document.documentElement.scrollWidth,
            bodyWidth: document.body.scrollWidth,
            viewport: window.innerWidth,
            height: document.documentElement.scrollHeight,
        })"""
    )
    return measured


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_no_page_scrolls_sideways_and_the_summary_is_in_the_first_screen(
    site: dict[str, Any], browser: Any, device: str
) -> None:
    width, height = WIDTHS[device]
    context = browser.new_context(viewport={"width": width, "height": height})
    watched = Watched(context.new_page())
    page = watched.page
    SHOTS.mkdir(parents=True, exist_ok=True)
    heights = {}
    for name, path in site["pages"].items():
        page.goto(site["base"] + path)
        measured = _measure(page)
        assert measured["viewport"] == width
        assert measured["documentWidth"] <= width, (name, device, measured)
        assert measured["bodyWidth"] <= width, (name, device, measured)
        heights[name] = measured["height"]
        shot = SHOTS / f"{name}-{device}.png"
        page.screenshot(path=str(shot), full_page=True)
        readme = README_SHOTS.get((name, device))
        if readme and (
            not (ROOT / "docs" / readme).exists()
            or os.environ.get("STORYFUSE_UPDATE_SCREENSHOT") == "1"
        ):
            page.screenshot(path=str(ROOT / "docs" / readme), full_page=False)
        if name.startswith("story-"):
            first = page.locator("ol.summary > li").first.bounding_box()
            assert first is not None and first["y"] + first["height"] <= height, (name, first)
            assert page.locator("details#matrix").get_attribute("open") is None
            assert not page.locator("table.matrix").is_visible()
            if device == "desktop":
                assert measured["height"] <= MAX_STORY_HEIGHT, (name, measured)
    assert watched.dialogs == [] and watched.errors == []
    (SHOTS / f"heights-{device}.txt").write_text(
        "".join(f"{name} {value:.0f}\n" for name, value in heights.items())
    )
    context.close()


def test_home_hides_single_article_stories_until_asked(site: dict[str, Any], browser: Any) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site["base"] + "/")
    cards = page.locator("article.story-card")
    assert cards.count() == 3
    assert "Hostile" not in page.locator("ol.stories").inner_text()
    page.get_by_role("link", name="Show 1 single-article story").click()
    page.wait_for_url("**/?single=1")
    assert page.locator("article.story-card").count() == 4
    published = page.locator("article.story-card time.relative").first
    assert published.inner_text().endswith("ago") and published.get_attribute("title")
    context.close()


def test_disclosures_open_the_matrix_and_the_rest_of_the_facts(
    site: dict[str, Any], browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site["base"] + site["pages"]["story-1"])
    closed = _measure(page)["height"]
    page.locator("details#matrix > summary").click()
    assert page.locator("table.matrix tbody tr").first.is_visible()
    assert _measure(page)["height"] > closed
    assert page.locator("section#new").count() == 0, "nothing new on a first visit"
    context.close()


def test_readme_screenshots_exist() -> None:
    for name in README_SHOTS.values():
        shot = ROOT / "docs" / name
        if not shot.exists():
            pytest.skip(f"{shot} is written by the layout tests")
        assert shot.stat().st_size > 1000 and shot.read_bytes()[:4] == b"\x89PNG"
    shutil.rmtree(SHOTS / "tmp", ignore_errors=True)
