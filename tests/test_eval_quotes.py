"""The PolNeAR quote scorer on a fixture of our own, its rule parts, and the real dev split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.evaluation.quotes import article_from_text, same_person, source_kind

from helpers import DATA, FIXTURES

MINI = FIXTURES / "polnear-mini.jsonl"


def test_scores_on_fixture() -> None:
    result = CliRunner().invoke(main, ["eval", "quotes", str(MINI), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    # the train article is skipped; 3 direct gold quotes in the two dev articles
    assert scores["articles"] == 2
    assert scores["gold_direct_quotes"] == 3
    assert scores["recall"] == 1.0
    # the scare quote "a very long ... climbdown" is no annotated content: 3 of 4 right
    assert scores["predicted_quotes"] == 4
    assert scores["precision"] == 0.75
    assert scores["named_source"] == {"quotes": 1, "speaker_accuracy": 1.0, "no_speaker": 0.0}
    assert scores["pronoun_source"]["quotes"] == 1
    assert scores["pronoun_source"]["accuracy_against_resolved_gold"] == 1.0
    assert scores["description_source"] == 1


def test_text_output_and_split_option() -> None:
    result = CliRunner().invoke(main, ["eval", "quotes", str(MINI), "--split", "train"])
    assert result.exit_code == 0, result.output
    assert "articles: 1  gold direct quotes: 0" in result.output
    assert "recall n/a" in result.output


def test_bad_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "split": "dev"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "quotes", str(bad)])
    assert result.exit_code == 1
    assert "bad.jsonl:1" in result.output


def test_rule_parts() -> None:
    assert source_kind("Rep. G.K. Butterfield") == "name"
    assert source_kind("She") == "pronoun"
    assert source_kind("a campaign spokesman") == "description"
    assert source_kind(None) == "none"
    assert same_person("Pat Caddell", "Caddell")
    assert same_person("Mike Pence", "PENCE")
    assert same_person("Clinton", "Hillary Clinton’s")
    assert not same_person("Tobias Harrow", "Priya Santangelo")
    assert not same_person(None, "Caddell")


def test_article_offsets_follow_the_text() -> None:
    text = "Title\n\n\n  First paragraph here.\n\nSecond one."
    article, starts = article_from_text("t", text)
    assert article.text == "Title\n\nFirst paragraph here.\n\nSecond one."
    assert [text[s : s + 5] for s in starts] == ["Title", "First", "Secon"]


def test_polnear_dev_targets() -> None:
    path = DATA / "polnear-dev.jsonl"
    if not path.exists():
        pytest.skip("../shared/data/polnear-dev.jsonl is absent")
    result = CliRunner().invoke(main, ["eval", "quotes", str(path), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    # main before issue 13: recall 0.914, precision 0.969, named-source speakers 0.514
    assert scores["recall"] >= 0.914
    assert scores["precision"] >= 0.969
    assert scores["named_source"]["speaker_accuracy"] >= 0.85
    assert scores["pronoun_source"]["resolved_to_a_name"] >= 0.5
