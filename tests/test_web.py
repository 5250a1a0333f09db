"""The web app: pages, citations to the exact sentence, escaping, API, feeds, token, redirects."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web app needs the 'web' extra")
pytest.importorskip("jinja2", reason="the web app needs the 'web' extra")

import lxml.html
from click.testing import CliRunner
from fastapi.testclient import TestClient

from storyfuse.cli import main
from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument, StoryRow
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store
from storyfuse.text.tokens import coverage, match_tokens
from storyfuse.web.app import CSP, create_app
from storyfuse.web.routes.pages import VISITS_COOKIE, _visits
from storyfuse.web.site import LRUCache
from storyfuse.web.story_page import ranked, relative_time
from storyfuse.web.views import build_story_view

from helpers import ROOT, fire_report

DEMO = ROOT / "demo" / "corpus"
ATOM = "{http://www.w3.org/2005/Atom}"

HOSTILE = RawDocument(
    source="hostile.jsonl:1",
    title="Hostile <script>alert('title')</script> headline",
    outlet="Evil <b>Outlet</b>",
    url="javascript:alert(1)",
    published=dt.date(2025, 7, 1),
    text=(
        "A reader sent this paragraph with a script tag <script>alert(1)</script> inside it, "
        "to see whether the site runs what an article says.\n\n"
        "The same reader put an image tag <img src=x onerror=alert(1)> in the middle of a "
        "sentence about the Quellbrook tide gauge and its new sensor.\n\n"
        "Officials in Quellbrook said the tide gauge test would show whether the text is "
        "escaped everywhere on the site, from the story page to the feeds."
    ),
)


def _build(path: Path) -> dict[str, Any]:
    documents, errors = read_inputs([DEMO])
    with Store(path) as store:
        Ingestion(store).ingest([*documents, HOSTILE], errors)
        rows = store.stories()
        articles = {row.id: [a.id for a in store.story_articles(row.id)] for row in rows}
    hostile = next(row.id for row in rows if "Hostile" in row.headline)
    return {"rows": rows, "articles": articles, "hostile": hostile}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("web") / "store.db"
    info = _build(path)
    info["db"] = path
    return info


@pytest.fixture(scope="module")
def client(built: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(built["db"], base_url="http://testserver")) as test_client:
        yield test_client


def _article_ids(built: dict[str, Any]) -> list[str]:
    return [a for ids in built["articles"].values() for a in ids]


def _pages(built: dict[str, Any]) -> list[str]:
    hostile = built["articles"][built["hostile"]][0]
    return [
        "/",
        "/?since=2025-01-01",
        "/?outlet=The+Daily+Ledger",
        "/?page=1",
        *(f"/stories/{row.id}" for row in built["rows"]),
        *(f"/stories/{row.id}?since=2000-01-01" for row in built["rows"]),
        *(f"/articles/{a}" for a in _article_ids(built)),
        "/search",
        "/search?q=fire",
        "/search?q=Quellbrook",
        "/search?q=script",
        "/search?q=Hostile",
        "/feed.xml",
        "/feed.json",
        "/api/stories",
        f"/api/stories/{built['hostile']}",
        f"/api/articles/{hostile}",
        "/api/search?q=Quellbrook",
        "/openapi.json",
        "/docs",
        "/static/style.css",
        "/static/app.js",
    ]


def test_every_page_answers_200_with_a_content_security_policy(
    client: TestClient, built: dict[str, Any]
) -> None:
    for path in _pages(built):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert (
            "default-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
        ), path
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/").headers["content-security-policy"] == CSP


def test_head_answers_like_get_without_a_body(client: TestClient, built: dict[str, Any]) -> None:
    for path in ("/", "/feed.xml", f"/stories/{built['rows'][0].id}"):
        response = client.head(path)
        assert response.status_code == 200 and response.content == b"", path
        assert response.headers["content-security-policy"]
    assert client.head("/stories/s-nope").status_code == 404


def test_docs_page_works_offline_with_its_own_inline_script(client: TestClient) -> None:
    docs = client.get("/docs")
    policy = docs.headers["content-security-policy"]
    assert "'sha256-" in policy and "http" not in policy, "no other origin is allowed"
    page = lxml.html.fromstring(docs.text)
    assets = [e.get("src") for e in page.cssselect("script[src]")] + [
        e.get("href") for e in page.cssselect("link[rel=stylesheet]")
    ]
    assert len(assets) == 2 and all(url.startswith("/static/docs/") for url in assets)
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200 and len(response.content) > 10_000, url


def test_unknown_story_and_article_are_404_pages(client: TestClient) -> None:
    for path in ("/stories/s-nope", "/articles/nope", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404 and "Not found" in response.text
    assert client.get("/api/stories/s-nope").json() == {"detail": "no story s-nope"}


def test_home_lists_stories_with_summary_counts_outlets_and_filters(
    client: TestClient, built: dict[str, Any]
) -> None:
    page = lxml.html.fromstring(client.get("/").text)
    cards = page.cssselect("article.story-card")
    several = [row for row in built["rows"] if row.size > 1]
    assert len(cards) == len(several) == len(built["rows"]) - 1, "single-article stories hidden"
    by_id = {row.id: row for row in built["rows"]}
    for card in cards:
        row = by_id[card.cssselect("h2 a")[0].get("href").removeprefix("/stories/")]
        assert card.cssselect("p.lede a.cite"), "the summary lines are cited"
        meta = card.cssselect("dl.meta")[0].text_content()
        assert str(row.size) in meta and "Independent sources" in meta and "First seen" in meta
        chips = [c.text_content() for c in card.cssselect("ul.outlets li.chip")]
        assert chips == list(row.outlets)[:5], "outlets as a compact row"
        published = card.cssselect("time.relative")[0]
        assert published.text_content().endswith("ago") and published.get("title")
    (toggle,) = page.xpath('//a[starts-with(., "Show 1 single-article story")]')
    assert toggle.get("href") == "/?single=1"
    everything = lxml.html.fromstring(client.get("/?single=1").text)
    assert len(everything.cssselect("article.story-card")) == len(built["rows"])
    filtered = lxml.html.fromstring(client.get("/?outlet=Hohenbruck+Post").text)
    (only,) = filtered.cssselect("article.story-card h2")
    assert "Orsegg" in only.text_content()
    assert client.get("/?since=2999-01-01").text.count("story-card") == 0
    june = lxml.html.fromstring(client.get("/?since=2025-06-01").text)
    assert ["Orsegg" in h.text_content() for h in june.cssselect("article.story-card h2")] == [
        True
    ], "--since counts publication dates"
    bad = client.get("/?since=yesterday-ish")
    assert bad.status_code == 400 and "cannot read" in bad.text


def test_home_ranks_stories_by_importance() -> None:
    newest = dt.date(2025, 6, 22)

    def row(sources: int, outlets: int, day: dt.date) -> StoryRow:
        names = tuple(f"Outlet {k}" for k in range(outlets))
        return StoryRow(f"s-{sources}-{day}", "h", outlets, sources, names, day, day, "", "")

    big_old = row(4, 4, newest - dt.timedelta(days=30))
    small_new = row(2, 2, newest)
    big_new = row(4, 4, newest - dt.timedelta(days=1))
    assert [r.id for r in ranked([big_old, small_new, big_new])] == [
        big_new.id,
        small_new.id,
        big_old.id,
    ]
    now = dt.datetime(2025, 6, 22, 12, tzinfo=dt.UTC)
    assert relative_time("2025-06-22T09:00:00+00:00", now) == "3 h ago"
    assert relative_time(dt.date(2025, 6, 21), now) == "yesterday"
    assert relative_time(dt.date(2025, 4, 22), now) == "2 months ago"
    assert relative_time(None, now) == "no date"


def _summary_lines(html: str) -> list[tuple[str, list[str]]]:
    page = lxml.html.fromstring(html)
    lines = []
    for item in page.cssselect("ol.summary > li"):
        text = " ".join("".join(item.xpath("text()")).split())
        lines.append((text, [a.get("href") for a in item.cssselect("a.cite")]))
    return lines


def test_each_citation_marker_opens_the_sentence_that_prints_it(
    client: TestClient, built: dict[str, Any]
) -> None:
    checked = 0
    for row in built["rows"]:
        document = client.get(f"/api/stories/{row.id}").json()
        (story,) = document["stories"]
        lines = _summary_lines(client.get(f"/stories/{row.id}").text)
        assert [text for text, _ in lines] == [s["text"] for s in story["summary"]]
        for (text, hrefs), sentence in zip(lines, story["summary"], strict=True):
            targets = []
            for href in hrefs:
                match = re.fullmatch(r"/articles/([0-9a-f]+)#(s\d+)", href)
                assert match, href
                targets.append(match.group(1))
                page = lxml.html.fromstring(client.get(f"/articles/{match.group(1)}").text)
                (element,) = page.xpath(f'//*[@id="{match.group(2)}"]')
                covered, _ = coverage(match_tokens(text), match_tokens(element.text_content()))
                assert covered >= 0.9, (text, element.text_content())
                checked += 1
            assert sorted(targets) == sorted(sentence["citations"])
    assert checked >= 10


def test_every_sentence_of_an_article_has_an_anchor(
    client: TestClient, built: dict[str, Any]
) -> None:
    article_id = _article_ids(built)[0]
    document = client.get(f"/api/articles/{article_id}").json()
    page = lxml.html.fromstring(client.get(f"/articles/{article_id}").text)
    spans = page.cssselect("span.sentence")
    assert [s.get("id") for s in spans] == [f"s{i}" for i in range(len(document["sentences"]))]
    assert [s.text_content() for s in spans] == document["sentences"]


def test_article_page_shows_removed_boilerplate_with_reasons_and_its_story(
    client: TestClient, built: dict[str, Any]
) -> None:
    for story_id, ids in built["articles"].items():
        for article_id in ids:
            document = client.get(f"/api/articles/{article_id}").json()
            page = lxml.html.fromstring(client.get(f"/articles/{article_id}").text)
            assert document["story"] == story_id
            assert page.cssselect(f'a[href="/stories/{story_id}"]')
            if document["removed"]:
                (details,) = page.cssselect("details#removed")
                rows = details.cssselect("tbody tr")
                assert [[c.text_content() for c in r.cssselect("td")] for r in rows] == [
                    [r["reason"], r["text"]] for r in document["removed"]
                ]


def _no_active_markup(html: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<b>Outlet</b>" not in html
    page = lxml.html.fromstring(html)
    for script in page.iter("script"):
        assert script.get("src", "").startswith("/static/") and not (script.text or "").strip()
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert not value.strip().lower().startswith("javascript:"), (element.tag, value)
    assert not page.xpath("//img[@src='x']")


def test_article_text_is_escaped_on_every_page(client: TestClient, built: dict[str, Any]) -> None:
    hostile_story = built["hostile"]
    hostile = built["articles"][hostile_story][0]
    for path in _pages(built):
        response = client.get(path)
        if "html" in response.headers["content-type"] and path != "/docs":
            _no_active_markup(response.text)
    page = client.get(f"/articles/{hostile}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;Outlet&lt;/b&gt;" in page
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page  # shown, not linked
    story = client.get(f"/stories/{hostile_story}").text
    assert "Hostile &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; headline" in story


def test_feeds_escape_article_text(client: TestClient) -> None:
    atom = client.get("/feed.xml").text
    assert "<script>" not in atom and "&lt;script&gt;" in atom
    root = ET.fromstring(atom.encode())
    contents = [e.text or "" for e in root.iter(f"{ATOM}content")]
    assert any("&lt;script&gt;alert" in c for c in contents), "HTML content escapes the text"
    assert all("<script" not in c for c in contents)
    items = client.get("/feed.json").json()["items"]
    assert all("<script" not in item["content_html"] for item in items)
    assert any("<script>alert(1)</script>" in item["content_text"] for item in items) or any(
        "Hostile" in item["title"] for item in items
    )


def test_merged_story_redirects_to_the_surviving_one(
    client: TestClient, built: dict[str, Any]
) -> None:
    survivor = built["rows"][0].id
    with Store(built["db"]) as store:
        store.db.execute(
            "INSERT INTO stories (id, headline, size, independent_sources, first_seen,"
            " last_seen, redirect_to) VALUES (?, ?, 0, 0, ?, ?, ?)",
            (
                "s-merged0001",
                "absorbed",
                "2025-01-01T00:00:00+00:00",
                "2025-01-01T00:00:00+00:00",
                survivor,
            ),
        )
    response = client.get("/stories/s-merged0001?since=3d", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"/stories/{survivor}?since=3d"
    api = client.get("/api/stories/s-merged0001", follow_redirects=False)
    assert api.status_code == 301 and api.headers["location"] == f"/api/stories/{survivor}"
    assert client.get("/stories/s-merged0001").url.path == f"/stories/{survivor}"


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_api_shapes_equal_the_command_lines_json(client: TestClient, built: dict[str, Any]) -> None:
    db = str(built["db"])
    for row in built["rows"]:
        assert client.get(f"/api/stories/{row.id}").json() == _cli(
            "story", row.id, "--json", "--db", db
        )
    story_id = built["rows"][1].id
    with_changes = client.get(f"/api/stories/{story_id}?since=2000-01-01&words=60").json()
    cli = _cli("story", story_id, "--json", "--db", db, "--since", "2000-01-01", "--words", "60")
    assert with_changes == cli and with_changes["changes"]["new_articles"]
    listed = client.get("/api/stories?per_page=100").json()
    assert listed["stories"] == _cli("stories", "--json", "--db", db)
    found = client.get("/api/search", params={"q": "signalling AND fault"}).json()
    assert found["articles"] == _cli("search", "signalling AND fault", "--json", "--db", db)
    article = client.get(f"/api/articles/{_article_ids(built)[0]}").json()
    from_cli = _cli("story", article["story"], "--json", "--db", db)["articles"]
    assert {k: v for k, v in article.items() if k != "story"} in from_cli


def test_story_list_is_paginated_with_total_and_next_links(
    client: TestClient, built: dict[str, Any]
) -> None:
    seen: list[str] = []
    url: str | None = "/api/stories?per_page=1"
    pages = 0
    while url:
        body = client.get(url).json()
        assert body["total"] == len(built["rows"]) and body["per_page"] == 1
        assert body["pages"] == len(built["rows"]) and body["page"] == pages + 1
        seen += [s["id"] for s in body["stories"]]
        url = body["next"]
        pages += 1
        assert pages <= 10
    assert seen == [row.id for row in built["rows"]]
    last = client.get(f"/api/stories?per_page=1&page={pages}").json()
    assert last["next"] is None and last["prev"].endswith(f"page={pages - 1}")
    assert client.get("/api/stories?per_page=0").status_code == 422
    assert client.get("/api/stories?per_page=101").status_code == 422
    assert client.get("/api/stories?since=soon").status_code == 400
    assert client.get("/api/stories?outlet=Hohenbruck+Post").json()["total"] == 1


def test_atom_feed_is_valid(client: TestClient, built: dict[str, Any]) -> None:
    response = client.get("/feed.xml")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{name}") or "").strip(), name
    dt.datetime.fromisoformat(root.findtext(f"{ATOM}updated") or "")
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link"))
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(built["rows"])
    ids = set()
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        moment = dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
        assert moment.tzinfo is not None
        (link,) = [x for x in entry.findall(f"{ATOM}link") if x.get("rel") == "alternate"]
        assert link.get("href", "").startswith("http://testserver/stories/s-")
        assert entry.find(f"{ATOM}summary") is not None or entry.find(f"{ATOM}content") is not None
        assert entry.find(f"{ATOM}content").get("type") == "html"  # type: ignore[union-attr]
        ids.add(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(entries)


def test_json_feed_is_valid(client: TestClient, built: dict[str, Any]) -> None:
    response = client.get("/feed.json")
    assert response.headers["content-type"].startswith("application/feed+json")
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"] == "http://testserver/feed.json"
    assert isinstance(feed["items"], list) and len(feed["items"]) == len(built["rows"])
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_text") or item.get("content_html"), str)
        assert isinstance(item["url"], str) and isinstance(item["title"], str)
        for key in ("date_published", "date_modified"):
            assert dt.datetime.fromisoformat(item[key]).tzinfo is not None
        assert all(isinstance(tag, str) for tag in item["tags"])
    assert len({item["id"] for item in feed["items"]}) == len(feed["items"])


POSTED = {
    "title": "Zephyrine lighthouse relit after restoration",
    "outlet": "The Coastal Gazette",
    "published": "2025-08-01",
    "url": "https://coastal.example/zephyrine",
    "text": (
        "The Zephyrine lighthouse on the Varnholt headland was relit on Friday evening after "
        "a two-year restoration paid for by local fishermen.\n\n"
        "Keeper Odile Marchetti said the new lamp could be seen forty kilometres out at sea "
        "and would guide the trawlers home through the autumn storms."
    ),
}


def _count(db: Path) -> int:
    with Store(db) as store:
        return store.counts()["articles"]


def test_posting_articles_needs_the_token(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _count(db)
    with TestClient(create_app(db, token="s3cret-token")) as client:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": "Basic s3cret-token"},
            {"Authorization": "Bearer "},
        ):
            response = client.post("/api/articles", json=POSTED, headers=headers)
            assert response.status_code == 401 and response.headers["www-authenticate"]
        bad = client.post("/api/articles", content=b"{not json", headers={})
        assert bad.status_code == 401, "the token is checked before the body is read"
        assert _count(db) == 0
        good = {"Authorization": "Bearer s3cret-token"}
        response = client.post("/api/articles", json=POSTED, headers=good)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["added"] == 1 and len(body["stories"]) == 1
        assert _count(db) == 1
        again = client.post("/api/articles", json=[POSTED], headers=good)
        assert again.status_code == 200 and again.json()["duplicate"] == 1
        found = client.get("/api/search", params={"q": "Zephyrine"}).json()["articles"]
        assert found and found[0]["title"] == POSTED["title"]
        story = client.get(f"/stories/{body['stories'][0]}")
        assert story.status_code == 200 and "Zephyrine" in story.text
        assert client.post("/api/articles", content=b"{nope", headers=good).status_code == 422
        no_text = client.post("/api/articles", json={"title": "x"}, headers=good)
        assert no_text.status_code == 422
        bad_date = client.post("/api/articles", json={**POSTED, "published": "soon"}, headers=good)
        assert bad_date.status_code == 422 and _count(db) == 1


def test_without_a_token_the_server_is_read_only(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with TestClient(create_app(db)) as client:
        response = client.post(
            "/api/articles", json=POSTED, headers={"Authorization": "Bearer anything"}
        )
        assert response.status_code == 403 and "read-only" in response.json()["detail"]
    assert _count(db) == 0


def test_search_text_with_syntax_characters_is_read_as_words(client: TestClient) -> None:
    response = client.get("/search", params={"q": '"unbalanced quay'})
    assert response.status_code == 200
    api = client.get("/api/search", params={"q": "fire AND"})
    assert api.status_code == 200 and api.json()["articles"]
    page = lxml.html.fromstring(client.get("/search", params={"q": "fire"}).text)
    assert page.cssselect("mark") and page.cssselect('a[href^="/stories/"]')


def test_whats_new_since_a_time_and_since_the_last_visit(
    client: TestClient, built: dict[str, Any]
) -> None:
    story_id = built["rows"][-1].id
    size = built["rows"][-1].size
    since = client.get(f"/stories/{story_id}?since=2000-01-01").text
    assert since.count("New article:") == size > 1
    bad = client.get(f"/stories/{story_id}?since=whenever")
    assert bad.status_code == 200 and "cannot read" in bad.text
    with TestClient(create_app(built["db"])) as browser:
        first = browser.get(f"/stories/{story_id}")
        assert 'id="new"' not in first.text, "nothing to say on a first visit"
        assert story_id in first.cookies[VISITS_COOKIE]
        second = browser.get(f"/stories/{story_id}")
        assert 'id="new"' not in second.text, "nothing new since the last visit: no section"
        unchanged = browser.get(f"/stories/{story_id}?since=2999-01-01")
        assert "Nothing new." in unchanged.text, "asked explicitly, it says so"
    with TestClient(create_app(built["db"])) as browser:
        browser.cookies.set(VISITS_COOKIE, f"junk|{story_id}:0|x:y")
        old = browser.get(f"/stories/{story_id}")
        assert "since your last visit" in old.text and old.text.count("New article:") == size


def test_visits_cookie_parsing_ignores_junk() -> None:
    assert _visits("s-abc:12|<script>|s-def:x|s-ghi:7") == {"s-abc": 12, "s-ghi": 7}
    assert _visits(None) == {}


def test_story_view_cache_is_bounded_and_keyed_by_the_articles(built: dict[str, Any]) -> None:
    cache = LRUCache[Any, Any](2)
    with Store(built["db"]) as store:
        rows = store.stories()
        for row in rows:
            articles = store.story_articles(row.id)
            view = build_story_view(row.id, articles)
            cache.put((row.id, view.key, 120), view)
            assert view.key == tuple(sorted(a.id for a in articles))
            assert view.document["stories"][0]["id"] == row.id
            timeline = view.timeline
            assert all(
                0 <= p.x <= timeline.width and 0 <= p.y <= timeline.height for p in timeline.points
            )
    assert len(cache) == 2
    assert cache.get((rows[0].id, (), 120)) is None


def test_serve_binds_to_loopback_and_reads_the_token_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    monkeypatch.setenv("MY_TOKEN", "abc")
    db = str(tmp_path / "s.db")
    Store(db).close()
    missing = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "typo.db")])
    assert missing.exit_code == 1 and "no such store" in missing.stderr
    result = CliRunner().invoke(main, ["serve", "--db", db, "--token-env", "MY_TOKEN"])
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["host"] == "127.0.0.1" and call["port"] == 8000
    assert call["app"].state.site.token == "abc"
    monkeypatch.delenv("MY_TOKEN")
    result = CliRunner().invoke(main, ["serve", "--db", db, "--token-env", "MY_TOKEN"])
    assert "read-only" in result.stderr and calls[-1]["app"].state.site.token is None


def test_story_page_shows_where_outlets_disagree(client: TestClient) -> None:
    stories = client.get("/api/stories").json()["stories"]
    fire = next(s for s in stories if "Warehouse" in s["headline"] or "Quay" in s["headline"])
    html = client.get(f"/stories/{fire['id']}").text
    assert "Where outlets disagree" in html
    assert "More than 90 firefighters" in html and "More than 80 firefighters" in html


def test_a_split_story_says_where_its_articles_went_on_its_page_and_in_the_api(
    tmp_path: Path,
) -> None:
    path = tmp_path / "split.db"
    saltmere = [fire_report("Saltmere", "quay", k) for k in range(5)]
    valdrisa = [fire_report("Valdrisa", "wharf", k) for k in range(5)]
    with Store(path) as store:
        ingestion = Ingestion(store)
        ingestion.ingest(read_inputs([DEMO])[0])
        ingestion.ingest([saltmere[0], valdrisa[0]])
        ingestion.ingest([*saltmere[1:], *valdrisa[1:]])
        (split,) = {s for row in store.stories() for s in store.story_splits(row.id)}
        untouched = next(row.id for row in store.stories() if "Orsegg" in row.headline)
    expected = {"from": split.from_story, "to": split.to_story, "articles": 1, "at": split.at}
    with TestClient(create_app(path)) as client:
        for story_id in (split.from_story, split.to_story):
            assert client.get(f"/api/stories/{story_id}").json()["splits"] == [expected]
        since = client.get(f"/api/stories/{split.from_story}?since=2000-01-01").json()
        assert since["splits"] == [expected] and "changes" in since
        assert "splits" not in client.get(f"/api/stories/{untouched}").json()
        for story_id, other in (
            (split.from_story, split.to_story),
            (split.to_story, split.from_story),
        ):
            page = lxml.html.fromstring(client.get(f"/stories/{story_id}").text)
            (notice,) = page.cssselect("p.notice.split")
            assert notice.cssselect("a")[0].get("href") == f"/stories/{other}"
        assert not lxml.html.fromstring(client.get(f"/stories/{untouched}").text).cssselect(
            "p.notice.split"
        )


def test_feed_dates_are_the_stories_publication_dates(
    client: TestClient, built: dict[str, Any]
) -> None:
    rows = {f"http://testserver/stories/{row.id}": row for row in built["rows"]}

    def day(value: str) -> dt.date:
        moment = dt.datetime.fromisoformat(value)
        assert moment.tzinfo is not None
        return moment.astimezone(dt.UTC).date()

    items = client.get("/feed.json").json()["items"]
    assert {item["url"] for item in items} == set(rows)
    for item in items:
        row = rows[item["url"]]
        assert row.first_published and row.last_published
        assert day(item["date_published"]) == row.first_published, item["title"]
        assert day(item["date_modified"]) == row.last_published, item["title"]
        assert row.first_published.year == 2025, "publication, not ingest time"
    root = ET.fromstring(client.get("/feed.xml").content)
    for entry in root.findall(f"{ATOM}entry"):
        row = rows[entry.findtext(f"{ATOM}id") or ""]
        assert day(entry.findtext(f"{ATOM}published") or "") == row.first_published
        assert day(entry.findtext(f"{ATOM}updated") or "") == row.last_published
    newest = max(row.last_published for row in built["rows"] if row.last_published)
    assert day(root.findtext(f"{ATOM}updated") or "") == newest


def test_every_api_response_has_a_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema.get("components", {}).get("schemas", {})
    checked = []
    for path, methods in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                body = response.get("content", {}).get("application/json", {}).get("schema", {})
                if "$ref" in body:
                    body = components[body["$ref"].rsplit("/", 1)[-1]]
                assert body.get("properties") or body.get("items"), (method, path, status, body)
                checked.append((method, path))
    assert len(checked) >= 5, checked


def _rate_story(built: dict[str, Any]) -> str:
    return next(row.id for row in built["rows"] if "6.25%" in row.headline)


def test_focus_biases_the_summary_on_the_api_and_the_page(
    client: TestClient, built: dict[str, Any]
) -> None:
    story = _rate_story(built)
    plain = client.get(f"/api/stories/{story}").json()["stories"][0]["summary"]
    focus = "housebuilders and mortgages"
    answer = client.get(f"/api/stories/{story}", params={"focus": focus})
    focused = answer.json()["stories"][0]["summary"]
    assert [s["text"] for s in focused] != [s["text"] for s in plain]
    assert any("ousebuilder" in s["text"] or "mortgage" in s["text"] for s in focused)
    assert client.get(f"/api/stories/{story}", params={"focus": "x" * 501}).status_code == 422
    page = client.get(f"/stories/{story}", params={"focus": focus})
    assert page.status_code == 200
    assert f"Summary focused on “{focus}”" in page.text
    hostile = client.get(f"/stories/{story}", params={"focus": "<script>alert(1)</script>"})
    assert hostile.status_code == 200
    _no_active_markup(hostile.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    assert "Summary focused on" not in client.get(f"/stories/{story}").text
