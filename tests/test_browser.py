"""The real app in headless Chromium: home, story, citation to the sentence, boilerplate, search.

The server is uvicorn in a thread on a free port of 127.0.0.1, over a store of
the demo corpus plus a hostile article whose text carries ``<script>`` and
``onerror=`` markup. Screenshots of the home and story pages are saved in
``test-artifacts/``; ``docs/story-page.png`` (the README's screenshot) is
written when it is missing or when ``STORYFUSE_UPDATE_SCREENSHOT=1``.

Skips when Debian's ``chromium`` or Playwright's Python package is absent
(``.ci/run`` installs chromium; ``playwright`` is in the ``dev`` extra). The
browser is the system's; ``playwright install`` is never needed.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright's Python package (pip: playwright)"
)
pytest.importorskip("uvicorn", reason="the web app needs the 'web' extra")

import uvicorn
from playwright.sync_api import sync_playwright

from storyfuse.ingestion.service import Ingestion
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store
from storyfuse.text.tokens import coverage, match_tokens
from storyfuse.web.app import create_app
from test_web import DEMO, HOSTILE

from helpers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
README_SHOT = ROOT / "docs" / "story-page.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "store.db"
    documents, errors = read_inputs([DEMO])
    with Store(db) as store:
        Ingestion(store).ingest([*documents, HOSTILE], errors)
    port = _free_port()
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def launch_chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright (skips when it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_chromium()


class Watched:
    """A page with every dialog (alert, confirm...) and console error it raised."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield Watched(context.new_page())
    context.close()


def test_home_story_citation_boilerplate_and_search(server: str, watched: Watched) -> None:
    page = watched.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "Stories"
    assert page.locator("article.story-card").count() == 3, "the single-article story hidden"
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    page.get_by_role("link", name="Orsegg Base Tunnel opens after eleven years").click()
    page.wait_for_url("**/stories/s-*")
    assert "Orsegg Base Tunnel" in page.locator("h1").inner_text()
    assert page.locator("table.matrix tbody tr").count() > 5
    assert not page.locator("table.matrix").is_visible(), "the matrix waits behind a disclosure"
    assert page.locator("#timeline svg circle").count() == 4
    assert page.locator("#timeline .day-articles li").count() == 4
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)
    shot = ARTIFACTS / "story-top.png"
    page.screenshot(
        path=str(shot), clip={"x": 0, "y": 0, "width": 1280, "height": 1200}, full_page=True
    )
    if not README_SHOT.exists() or os.environ.get("STORYFUSE_UPDATE_SCREENSHOT") == "1":
        README_SHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, README_SHOT)

    marker = page.locator("ol.summary > li").first.locator("a.cite").first
    sentence = page.locator("ol.summary > li").first.evaluate(
        "li => Array.from(li.childNodes).filter(n => n.nodeType === 3)"
        ".map(n => n.textContent).join('').trim()"
    )
    href = marker.get_attribute("href")
    assert href and "#s" in href
    marker.click()
    page.wait_for_url("**" + href)
    target = href.split("#", 1)[1]
    assert page.evaluate("document.querySelector(':target').id") == target
    assert page.evaluate("document.activeElement.id") == target, "app.js focuses the sentence"
    printed = page.locator(f"#{target}").inner_text()
    assert coverage(match_tokens(sentence), match_tokens(printed))[0] >= 0.9, (sentence, printed)
    assert page.locator(f"#{target}").is_visible()

    removed = page.locator("details#removed")
    if not removed.count():
        page.goto(server + "/search?q=%22Share%20this%20article%22")
        page.locator("ul.results a[href^='/articles/']").first.click()
        removed = page.locator("details#removed")
    assert removed.get_attribute("open") is None
    assert not page.locator("details#removed table").is_visible()
    removed.locator("summary").click()
    assert removed.get_attribute("open") is not None
    assert page.locator("details#removed tbody tr").first.is_visible()
    assert page.locator("details#removed tbody td").first.inner_text().strip()

    page.locator("#site-search").fill("signalling fault")
    page.locator("#site-search").press("Enter")
    page.wait_for_url("**/search?q=signalling+fault")
    results = page.locator("section[aria-labelledby='articles-h'] ul.results > li")
    assert results.count() >= 1 and page.locator("mark").count() >= 1
    results.first.locator("a").first.click()
    page.wait_for_url("**/articles/*")
    assert watched.dialogs == [] and watched.errors == [], "no CSP violation or script error"


def test_hostile_article_shows_its_markup_as_text_and_runs_nothing(
    server: str, watched: Watched
) -> None:
    page = watched.page
    page.goto(server + "/search?q=Quellbrook")
    page.locator("ul.results a[href^='/articles/']").first.click()
    page.wait_for_url("**/articles/*")
    text = page.locator(".article-text").inner_text()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert "<script>alert('title')</script>" in page.locator("h1").inner_text()
    assert page.locator("img[src=x]").count() == 0 and page.locator("img").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    page.locator("p a[href^='/stories/']").last.click()
    page.wait_for_url("**/stories/*")
    assert "<script>" in page.locator("h1").inner_text()
    for path in ("/", "/feed.json", "/api/search?q=Quellbrook"):
        page.goto(server + path)
    assert page.locator("img[src=x]").count() == 0
    assert watched.dialogs == [], "a dialog means article text ran as script"
    assert watched.errors == []


def test_citations_work_without_javascript(server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.locator("article.story-card h2 a").first.click()
    page.wait_for_url("**/stories/*")
    href = page.locator("ol.summary a.cite").first.get_attribute("href")
    page.locator("ol.summary a.cite").first.click()
    page.wait_for_url("**" + href)
    assert page.evaluate("document.querySelector(':target').id") == href.split("#", 1)[1]
    context.close()


def test_api_docs_render_offline(server: str, watched: Watched) -> None:
    page = watched.page
    outside: list[str] = []

    def only_loopback(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(server + "/docs")
    page.locator(".opblock-summary-path").first.wait_for(timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/stories" in paths and "/api/search" in paths
    assert outside == [], "the docs page asked for another origin"
    assert watched.errors == []
