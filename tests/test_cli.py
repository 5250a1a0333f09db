"""The command line: output formats, exit codes, bad input, determinism, escaping."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from storyfuse.cli import main

from helpers import FIXTURES, ROOT

STORY = FIXTURES / "story"
BAD = FIXTURES / "bad"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_markdown_lists_stories_with_numbered_citations() -> None:
    code, out, err = _run("summarize", str(STORY))
    assert code == 0, err
    assert out.startswith("# 1 story from 3 articles")
    assert "### Summary" in out and re.search(r"\[\d\]", out)
    assert "### Quotes" in out and "Corinne Abernathy" in out


def test_json_has_the_documented_shape_and_is_byte_for_byte_stable() -> None:
    code, first, _ = _run("summarize", str(STORY), "--format", "json", "--words", "80")
    _, second, _ = _run("summarize", str(STORY), "--format", "json", "--words", "80")
    assert code == 0 and first == second
    document = json.loads(first)
    article = document["articles"][0]
    assert set(article) >= {
        "id",
        "source",
        "outlet",
        "title",
        "published",
        "url",
        "sentences",
        "removed",
        "wire",
    }
    story = document["stories"][0]
    assert set(story) >= {
        "id",
        "headline",
        "articles",
        "independent_sources",
        "summary",
        "shared_facts",
        "unique_facts",
        "quotes",
        "entities",
    }
    assert sum(len(s["text"].split()) for s in story["summary"]) <= 80
    assert all(set(s) == {"text", "citations"} for s in story["summary"])
    assert all(set(q) >= {"speaker", "text", "articles"} for q in story["quotes"])
    assert all(set(e) == {"name", "type", "mentions"} for e in story["entities"])
    ids = {a["id"] for a in document["articles"]}
    assert all(set(s["citations"]) <= ids for s in story["summary"])


def test_input_order_does_not_change_the_output(tmp_path: Path) -> None:
    files = sorted(STORY.glob("*.txt"))
    _, forward, _ = _run("summarize", *map(str, files), "--format", "json")
    _, backward, _ = _run("summarize", *map(str, reversed(files)), "--format", "json")
    assert forward == backward


def test_explain_shows_every_removal_with_its_reason() -> None:
    _, plain, _ = _run("summarize", str(STORY))
    code, explained, _ = _run("summarize", str(STORY), "--explain")
    assert code == 0
    assert "Removed boilerplate" not in plain
    assert "*comment forum*: Join our commenting forum" in explained
    assert "*photo credit or caption*: Drevanian Presidential Press Service" in explained


def test_bad_inputs_are_named_on_stderr_and_the_rest_is_processed() -> None:
    missing = str(BAD / "no-such-file.txt")
    args = [
        str(STORY),
        str(BAD / "empty.txt"),
        str(BAD / "binary.txt"),
        str(BAD / "table.csv"),
        str(BAD / "broken.jsonl"),
        missing,
    ]
    code, out, err = _run("summarize", *args, "--format", "json")
    assert code == 1
    lines = err.strip().splitlines()
    assert any("empty.txt: empty file" in line for line in lines)
    assert any("binary.txt: binary file" in line for line in lines)
    assert any("table.csv: not an article" in line for line in lines)
    assert any("broken.jsonl:2: malformed JSON" in line for line in lines)
    assert any("broken.jsonl:3:" in line and "text" in line for line in lines)
    assert any("no-such-file.txt: does not exist" in line for line in lines)
    document = json.loads(out)
    assert len(document["articles"]) == 4  # the three story files and the good JSONL line
    assert len(document["rejected"]) == len(lines)


def test_a_huge_log_is_rejected_without_reading_it(tmp_path: Path) -> None:
    log = tmp_path / "server.txt"
    with log.open("wb") as handle:
        handle.write(b"2024-01-01 INFO started\n")
        handle.truncate(50 * 1024 * 1024)
    code, _, err = _run("summarize", str(log), str(STORY / "b_wire.txt"))
    assert code == 1
    assert "server.txt: too large for an article" in err


@pytest.mark.parametrize(
    "args",
    [
        ["summarize"],
        ["summarize", str(STORY), "--words", "0"],
        ["summarize", "--format", "pdf"],
        ["summarize", str(STORY), "--method", "magic"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_with_2(args: list[str]) -> None:
    code, _, _ = _run(*args)
    assert code == 2


def test_hostile_text_is_escaped_in_markdown(tmp_path: Path) -> None:
    (tmp_path / "hostile.txt").write_text(
        "Harbour council meets over <script>alert(1)</script> budget row\n\n"
        "The council of Port Avel met on Monday to <img src=x onerror=alert(1)> debate the budget "
        "for the harbour, officials said.\n\nThe vote was postponed until next week after a "
        "long debate about the costs of dredging.\n",
        encoding="utf-8",
    )
    code, out, _ = _run("summarize", str(tmp_path))
    assert code == 0
    assert not re.search(r"(?<!\\)[<>]", out), "an unescaped angle bracket"
    assert r"\<script\>" in out and r"\<img src=x onerror=alert(1)\>" in out


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out" / "stories.md"
    code, out, err = _run("summarize", str(STORY), "--output", str(target))
    assert code == 0 and out == "" and err.strip() == f"storyfuse: wrote 1 story to {target}"
    _, printed, _ = _run("summarize", str(STORY))
    assert target.read_text(encoding="utf-8") == printed
    assert printed.startswith("# 1 story from 3 articles")


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = main.list_commands(click.Context(main))  # type: ignore[attr-defined]
    assert len(names) >= 10
    for name in names:
        assert f"storyfuse {name}" in readme


def test_summarize_focus_brings_the_topic_into_the_summary() -> None:
    rate = sorted(str(p) for p in (ROOT / "demo" / "corpus").glob("rate-decision_*.txt"))
    code, plain, _ = _run("summarize", *rate, "--format", "json")
    assert code == 0
    code, focused, _ = _run("summarize", *rate, "--format", "json", "--focus", "bonds")
    assert code == 0

    def summary(out: str) -> list[str]:
        return [s["text"] for s in json.loads(out)["stories"][0]["summary"]]

    assert not any("bonds" in s for s in summary(plain))
    assert any("bonds" in s for s in summary(focused))
    assert summary(focused)[0] == summary(plain)[0]  # still opens with the event


def test_python_dash_m_runs_the_command_line() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "storyfuse",
            "summarize",
            str(ROOT / "demo" / "corpus"),
            "--words",
            "60",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("#")
    usage = subprocess.run(
        [sys.executable, "-m", "storyfuse", "--help"], capture_output=True, text=True
    )
    assert usage.stdout.startswith("Usage: storyfuse ")
