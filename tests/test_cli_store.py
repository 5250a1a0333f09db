"""The store commands: ingest, stories, story (with --since and splits), search, and errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.ingestion.service import Ingestion
from storyfuse.models import RawDocument
from storyfuse.sources.inputs import read_inputs
from storyfuse.store.store import Store

from helpers import FIXTURES, ROOT, fire_report

DEMO = ROOT / "demo" / "corpus"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_then_list_show_and_search(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    code, _, err = _run("ingest", str(DEMO), "--db", db)
    assert code == 0
    assert "13 added, 0 duplicate, 0 revised, 0 rejected" in err
    code, _, err = _run("ingest", str(DEMO), "--db", db)
    assert "0 added, 13 duplicate, 0 revised, 0 rejected" in err

    code, out, _ = _run("stories", "--db", db, "--json")
    listed = json.loads(out)
    assert code == 0 and sorted(s["size"] for s in listed) == [4, 4, 5]
    assert all(s["independent_sources"] >= 1 and s["outlets"] for s in listed)

    story_id = next(s["id"] for s in listed if "Orsegg" in s["headline"])
    code, out, _ = _run("story", story_id, "--db", db, "--json")
    document = json.loads(out)
    (story,) = document["stories"]
    assert story["id"] == story_id and len(story["articles"]) == 4
    assert story["summary"] and all(s["citations"] for s in story["summary"])

    code, out, _ = _run("story", story_id, "--db", db, "--since", "2000-01-01")
    assert code == 0 and "What's new since" in out and "New article" in out

    code, out, _ = _run("search", "signalling AND fault", "--db", db)
    assert code == 0 and story_id in out


def test_ingest_reports_rejections_and_exits_1(tmp_path: Path) -> None:
    code, _, err = _run("ingest", str(FIXTURES / "bad"), "--db", str(tmp_path / "s.db"))
    assert code == 1
    assert "empty.txt: empty file" in err


def test_unknown_story_and_bad_since_are_clear_errors_and_any_query_is_read(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    _run("ingest", str(DEMO), "--db", db)
    code, _, err = _run("story", "s-nope", "--db", db)
    assert code == 1 and "no story s-nope" in err
    code, _, err = _run("stories", "--db", db, "--since", "yesterday-ish")
    assert code == 2 and "cannot read 'yesterday-ish' as a time" in err
    code, out, _ = _run("search", 'fire AND "', "--db", db)
    assert code == 0 and "fire" in out.lower(), "an unbalanced quote is read as plain words"


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("just some notes, not a database\n" * 100)
    code, _, err = _run("stories", "--db", str(bogus))
    assert code == 1 and "not a storyfuse store" in err


def _jsonl(path: Path, documents: list[RawDocument]) -> str:
    lines = (
        json.dumps({"text": d.text, "url": d.url, "outlet": d.outlet, "title": None})
        for d in documents
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_story_that_split_says_where_its_articles_went(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    saltmere = [fire_report("Saltmere", "quay", k) for k in range(5)]
    valdrisa = [fire_report("Valdrisa", "wharf", k) for k in range(5)]
    assert _run("ingest", str(DEMO), "--db", db)[0] == 0
    assert (
        _run("ingest", _jsonl(tmp_path / "first.jsonl", [saltmere[0], valdrisa[0]]), "--db", db)[0]
        == 0
    )
    later = _jsonl(tmp_path / "later.jsonl", [*saltmere[1:], *valdrisa[1:]])
    assert _run("ingest", later, "--db", db)[0] == 0
    listed = json.loads(_run("stories", "--db", db, "--json")[1])
    fires = [s["id"] for s in listed if s["headline"].startswith("Warehouse fire on the")]
    assert len(fires) == 2
    documents = {
        story_id: json.loads(_run("story", story_id, "--db", db, "--json")[1]) for story_id in fires
    }
    (split,) = documents[fires[0]]["splits"]
    assert documents[fires[1]]["splits"] == [split]
    assert set(fires) == {split["from"], split["to"]} and split["articles"] == 1
    code, markdown, _ = _run("story", split["from"], "--db", db)
    assert code == 0
    assert f"1 article about another event moved to story {split['to']}" in markdown
    assert (
        f"split off story {split['from']} (1 article)" in _run("story", split["to"], "--db", db)[1]
    )


def test_a_missing_store_is_an_error_except_for_ingest(tmp_path: Path) -> None:
    missing = str(tmp_path / "typo.db")
    for args in (("stories",), ("story", "s-x"), ("search", "fire")):
        code, _, err = _run(*args, "--db", missing)
        assert code == 1 and "no such store" in err and "storyfuse ingest" in err, args
        assert not Path(missing).exists(), "nothing created"
    code, _, _ = _run("ingest", str(DEMO), "--db", missing)
    assert code == 0 and Path(missing).exists()


def test_story_list_counts_in_words_and_since_means_published(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    single = RawDocument(
        source="one.jsonl:1",
        title="Quellbrook tide gauge gets a new sensor",
        outlet="Quellbrook Gazette",
        published=None,
        text="The Quellbrook tide gauge got a new sensor on Tuesday, the harbour office said.",
    )
    with Store(db) as store:
        Ingestion(store).ingest([*read_inputs([DEMO])[0], single])
    code, out, _ = _run("stories", "--db", db)
    lines = out.splitlines()
    single_line = next(line for line in lines if "Quellbrook" in line)
    assert "1 article " in single_line and "1 source " in single_line
    assert all(" 1 articles" not in line and " 1 sources" not in line for line in lines)
    code, out, _ = _run("stories", "--db", db, "--since", "2025-06-01")
    assert code == 0 and len(out.splitlines()) == 1 and "Orsegg" in out, "by publication date"
    code, out, _ = _run("stories", "--help")
    assert "by publication date" in " ".join(out.split())


def test_output_file_gets_the_stories_and_stdout_one_note(tmp_path: Path) -> None:
    target = tmp_path / "out" / "stories.md"
    code, out, err = _run("summarize", str(DEMO), "--output", str(target))
    assert code == 0 and out == ""
    assert err.strip().splitlines() == [f"storyfuse: wrote 3 stories to {target}"]
    assert target.read_text(encoding="utf-8").startswith("#")
