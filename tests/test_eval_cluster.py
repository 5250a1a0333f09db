"""`storyfuse eval cluster`: the scores, the formats, the baseline beside storyfuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.evaluation.cluster import bcubed, evaluate_clustering, pairwise, story_errors

from helpers import DATA, ROOT


def test_bcubed_and_pairwise_by_hand() -> None:
    gold = {"a": "x", "b": "x", "c": "y", "d": "y"}
    predicted = {"a": "1", "b": "1", "c": "1", "d": "2"}
    # precision per item: a 2/3, b 2/3, c 1/3, d 1; recall: a 1, b 1, c 1/2, d 1/2
    scores = bcubed(predicted, gold)
    assert scores.p == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert scores.r == pytest.approx(0.75)
    # predicted pairs ab, ac, bc; gold pairs ab, cd; one in common
    pairs = pairwise(predicted, gold)
    assert (pairs.p, pairs.r) == pytest.approx((1 / 3, 1 / 2))
    assert bcubed(gold, gold).f == pairwise(gold, gold).f == 1.0


def test_split_and_merged_stories_are_counted_by_hand() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y", "f": "z"}
    # x is split over 1 and 2; story 2 merges x and y; z and story 3 are whole
    predicted = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "2", "f": "3"}
    errors = story_errors(predicted, gold)
    assert (errors.split, errors.merged) == (1, 1)
    assert story_errors(gold, gold).as_json() == {"split": 0, "merged": 0}
    everything = {item: "one" for item in gold}
    assert story_errors(everything, gold).as_json() == {"split": 0, "merged": 1}
    alone = {item: item for item in gold}
    assert story_errors(alone, gold).as_json() == {"split": 2, "merged": 0}


def _generic_set(path: Path) -> Path:
    """The demo corpus as a labelled set in the generic form, gold story from the file name."""
    lines = [
        json.dumps(
            {"id": file.stem, "story": file.stem.split("_")[0], "text": file.read_text("utf-8")}
        )
        for file in sorted((ROOT / "demo" / "corpus").glob("*.txt"))
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_demo_stories_are_found_and_the_json_has_the_documented_shape(
    tmp_path: Path,
) -> None:
    dataset = _generic_set(tmp_path / "demo.jsonl")
    saved = tmp_path / "assignments.jsonl"
    result = CliRunner().invoke(
        main, ["eval", "cluster", str(dataset), "--json", "--save-assignments", str(saved)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["articles"] == 13 and document["gold_stories"] == 3
    assert document["batch"] == 0
    assert document["stories"] == 3
    assert document["bcubed"] == {"p": 1.0, "r": 1.0, "f": 1.0}
    assert document["pairwise"]["f"] == 1.0 and document["articles_per_second"] > 0
    assert document["errors"] == {"split": 0, "merged": 0}
    assert set(document["baseline"]) == {"method", "stories", "bcubed", "pairwise", "errors"}
    lines = [json.loads(line) for line in saved.read_text("utf-8").splitlines()]
    assert len(lines) == 13 and all(set(line) == {"id", "story"} for line in lines)
    stories_of = {}
    for line in lines:
        stories_of.setdefault(line["id"].split("_")[0], set()).add(line["story"])
    assert all(len(stories) == 1 for stories in stories_of.values())


def test_the_demo_stories_are_found_when_the_stream_comes_in_small_batches(
    tmp_path: Path,
) -> None:
    dataset = _generic_set(tmp_path / "demo.jsonl")
    result = CliRunner().invoke(main, ["eval", "cluster", str(dataset), "--batch", "4", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["batch"] == 4 and document["stories"] == 3
    assert document["bcubed"] == {"p": 1.0, "r": 1.0, "f": 1.0}


def test_the_table_names_the_split_and_merged_stories(tmp_path: Path) -> None:
    dataset = _generic_set(tmp_path / "demo.jsonl")
    result = CliRunner().invoke(main, ["eval", "cluster", str(dataset)])
    assert result.exit_code == 0, result.output
    assert "errors: 0 gold stories split in two or more, 0 stories merging" in result.output


def test_a_malformed_line_is_a_clear_error(tmp_path: Path) -> None:
    dataset = tmp_path / "bad.jsonl"
    dataset.write_text('{"id": "a", "text": "no story here"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "cluster", str(dataset)])
    assert result.exit_code != 0
    assert "bad.jsonl" in result.output and "expected ECB+" in result.output


def test_ecbplus_scores_at_least_what_the_readme_reports() -> None:
    dataset = DATA / "ecbplus.jsonl"
    if not dataset.exists():
        pytest.skip(f"{dataset} is absent (../shared/data is not beside the checkout)")
    result = evaluate_clustering(dataset)
    assert result.articles == 982 and result.gold_stories == 86
    assert result.bcubed.f >= 0.93  # README: 0.935
    assert result.baseline.stories > 0 and result.baseline.bcubed.f > 0.5


def _partition(assignments: tuple[tuple[str, str], ...]) -> set[frozenset[str]]:
    stories: dict[str, set[str]] = {}
    for article, story in assignments:
        stories.setdefault(story, set()).add(article)
    return {frozenset(members) for members in stories.values()}


def test_ecbplus_in_batches_ends_where_one_batch_ends_and_stays_ahead_of_the_baseline() -> None:
    dataset = DATA / "ecbplus.jsonl"
    if not dataset.exists():
        pytest.skip(f"{dataset} is absent (../shared/data is not beside the checkout)")
    result = evaluate_clustering(dataset, batch=100)
    assert result.batch == 100
    assert result.bcubed.f >= 0.93  # README: 0.935
    assert result.bcubed.f >= result.baseline.bcubed.f + 0.04  # README: baseline 0.692
    # the same stories as one batch: README, what changed
    assert _partition(result.assignments) == _partition(evaluate_clustering(dataset).assignments)


def test_the_tac_stream_scores_at_least_what_the_readme_reports() -> None:
    dataset = DATA / "tac-stream.jsonl"
    if not dataset.exists():
        pytest.skip(f"{dataset} is absent (../shared/data is not beside the checkout)")
    result = evaluate_clustering(dataset)
    assert result.articles == 1323 and result.gold_stories == 134
    assert result.bcubed.f >= 0.92  # README: 0.932
    assert result.bcubed.f >= result.baseline.bcubed.f + 0.04  # README: baseline 0.840
