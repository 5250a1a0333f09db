"""`storyfuse eval summarize`: formats, ROUGE as rouge-score computes it, JSON, peers, checks."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.evaluation.datasets import DatasetError
from storyfuse.evaluation.rouge import (
    RougeEvaluator,
    bootstrap_intervals,
    reference_lines,
    summary_lines,
)
from storyfuse.evaluation.summarize import check_sentence, read_clusters
from storyfuse.evaluation.sumy_peers import SumyTokenizer
from storyfuse.models import SentenceRef, SummarySentence
from storyfuse.stories.wire import SentenceIndex
from storyfuse.text.segment import split_sentences

from helpers import FIXTURES, make_article

rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer", reason="needs the eval extra")

CLUSTERS = FIXTURES / "eval" / "clusters.jsonl"
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FAST = ("--method", "storyfuse", "--method", "lead", "--method", "random")
PEERS = ("lexrank", "textrank", "lsa", "sumbasic")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["eval", "summarize", *args])
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str) -> dict[str, Any]:
    code, out, err = _run(*args, "--json")
    assert code == 0, err or out
    document: dict[str, Any] = json.loads(out)
    return document


def test_both_formats_are_detected_per_line(tmp_path: Path) -> None:
    dataset = tmp_path / "mixed.jsonl"
    lines = [
        {"idx": 7, "raw_document": ["First report.", "Second report."], "summary": "Ref."},
        {"idx": 8, "raw_document": "One report. ||||| Another report.", "summary": "Ref two."},
        {"documents": ["A report."], "summaries": ["Ref a.", "Ref b."]},
    ]
    dataset.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    clusters = list(read_clusters(dataset))
    assert [c.id for c in clusters] == ["7", "8", "3"]  # generic without id: the line number
    assert clusters[0].documents == ("First report.", "Second report.")
    assert clusters[1].documents == ("One report. ", " Another report.")
    assert clusters[2].references == ("Ref a.", "Ref b.")
    assert [c.id for c in read_clusters(CLUSTERS, limit=2)] == ["bridge", "orchard"]


def test_a_line_of_neither_format_is_a_clear_error(tmp_path: Path) -> None:
    dataset = tmp_path / "bad.jsonl"
    dataset.write_text('{"text": "no cluster here"}\n')
    with pytest.raises(DatasetError, match="line 1: neither Multi-News"):
        list(read_clusters(dataset))
    code, _, err = _run(str(dataset), "--words", "50", *FAST)
    assert code == 1 and "neither Multi-News" in err


def test_scores_equal_rouge_score_computed_independently() -> None:
    summary = ["The Varnholt bridge was closed on Monday.", "Ferries will carry commuters."]
    references = [
        "Kellsmouth closed the Varnholt bridge on Monday. Ferries run from Tuesday.",
        "Cracks closed a bridge.",
    ]
    ours = RougeEvaluator().score(summary_lines(summary), [reference_lines(r) for r in references])
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    prediction = "The Varnholt bridge was closed on Monday.\nFerries will carry commuters."
    targets = [
        "Kellsmouth closed the Varnholt bridge on Monday.\nFerries run from Tuesday.",
        "Cracks closed a bridge.",
    ]
    for name, kind in (("rouge1", "rouge1"), ("rouge2", "rouge2"), ("rougeL", "rougeLsum")):
        best = max((scorer.score(t, prediction)[kind] for t in targets), key=lambda s: s.fmeasure)
        assert ours[name] == pytest.approx((best.fmeasure, best.recall))
    assert ours["rouge1"][0] > 0.4


def test_json_has_the_documented_shape() -> None:
    document = _json(str(CLUSTERS), "--words", "40", *FAST)
    assert set(document) >= {"dataset", "clusters", "words", "variant", "methods"}
    assert document["clusters"] == 3 and document["words"] == 40
    assert "ROUGE-Lsum with one sentence per line" in document["variant"]
    assert "best F1" in document["variant"]  # two references per cluster
    assert list(document["methods"]) == ["storyfuse", "lead", "random"]
    for method in document["methods"].values():
        assert set(method) >= {"rouge1", "rouge2", "rougeL", "seconds_per_cluster", "faithful"}
        for metric in ("rouge1", "rouge2", "rougeL"):
            low, high = method[metric]["ci"]
            assert low <= method[metric]["f"] <= high
            assert 0 <= method[metric]["r"] <= 100
        assert method["faithful"] == 1.0 and method["seconds_per_cluster"] > 0
        assert method["total_seconds"] >= method["seconds_per_cluster"]
    assert document["preparation_total_seconds"] >= document["preparation_seconds_per_cluster"]
    assert document["failures"] == []


def test_saved_summaries_rescore_to_the_same_numbers(tmp_path: Path) -> None:
    saved = tmp_path / "summaries.jsonl"
    document = _json(str(CLUSTERS), "--words", "40", *FAST, "--save-summaries", str(saved))
    references = {c.id: c.references for c in read_clusters(CLUSTERS)}
    lines = [json.loads(line) for line in saved.read_text().splitlines()]
    assert len(lines) == 3 * 3 and set(lines[0]) == {"id", "method", "summary"}
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    for method in ("storyfuse", "lead", "random"):
        f1: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeLsum": []}
        for line in (line for line in lines if line["method"] == method):
            assert sum(len(s["text"].split()) for s in line["summary"]) <= 40
            prediction = "\n".join(" ".join(s["text"].split()) for s in line["summary"])
            targets = ["\n".join(split_sentences(r)) for r in references[line["id"]]]
            best = scorer.score_multi(targets, prediction)
            for kind, values in f1.items():
                values.append(best[kind].fmeasure)
        reported = document["methods"][method]
        for name, kind in (("rouge1", "rouge1"), ("rouge2", "rouge2"), ("rougeL", "rougeLsum")):
            mean = 100 * sum(f1[kind]) / len(f1[kind])
            assert reported[name]["f"] == pytest.approx(mean, abs=0.006)


@pytest.mark.skipif(importlib.util.find_spec("sumy") is None, reason="sumy (eval extra) absent")
def test_sumy_peers_run_on_storyfuse_sentences(tmp_path: Path) -> None:
    saved = tmp_path / "summaries.jsonl"
    args = [part for peer in PEERS for part in ("--method", peer)]
    document = _json(str(CLUSTERS), "--words", "40", *args, "--save-summaries", str(saved))
    assert list(document["methods"]) == list(PEERS)
    for method in document["methods"].values():
        assert method["faithful"] == 1.0 and method["rouge1"]["f"] > 20
    for line in saved.read_text().splitlines():
        summary = json.loads(line)["summary"]
        assert summary and sum(len(s["text"].split()) for s in summary) <= 40


def test_sumy_tokenizer_uses_storyfuse_segmentation() -> None:
    tokenizer = SumyTokenizer()
    assert tokenizer.language == "english"
    assert tokenizer.to_sentences("Mr. Vale spoke. It's open again.") == (
        "Mr. Vale spoke.",
        "It's open again.",
    )
    assert tokenizer.to_words("It's a 3D-printing workshop, open at 10.") == (
        "It's",
        "a",
        "3D-printing",
        "workshop",
        "open",
        "at",
        "10",
    )


def test_a_missing_peer_package_names_the_eval_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sumy.summarizers.lex_rank", None)
    code, _, err = _run(str(CLUSTERS), "--words", "40", "--method", "lexrank")
    assert code == 1 and "sumy is missing" in err and "storyfuse[eval]" in err


def test_unknown_method_is_a_usage_error_listing_the_known_ones() -> None:
    code, _, err = _run(str(CLUSTERS), "--words", "40", "--method", "oracle")
    assert code == 2
    assert "oracle" in err and "lexrank" in err and "storyfuse" in err


def test_report_is_markdown_headed_by_the_command(tmp_path: Path) -> None:
    report = tmp_path / "out" / "report.md"  # the folder is created
    code, out, err = _run(str(CLUSTERS), "--words", "40", *FAST, "--report", str(report))
    assert code == 0, err
    assert "ms/cluster" in out and "peak memory" in out
    text = report.read_text()
    assert text.startswith("```sh\n") and "eval summarize" in text.splitlines()[1]
    assert "--words 40 --method storyfuse --method lead --method random" in text
    assert "| method | ROUGE-1 F1 |" in text and "| storyfuse | " in text


def test_faithfulness_check_flags_a_citation_that_does_not_hold() -> None:
    first = make_article("a", ["The bridge closed on Monday after cracks were found in it."])
    second = make_article("b", ["Ferries will run every fifteen minutes from Tuesday onwards."])
    index = SentenceIndex([first, second])
    text = first.sentences[0].text
    good = check_sentence(SummarySentence(text, ("a",), SentenceRef("a", 0)), index)
    assert good.verbatim and not good.unsupported
    bad = check_sentence(SummarySentence(text, ("a", "b"), SentenceRef("a", 0)), index)
    assert bad.verbatim and bad.unsupported == ("b",)
    edited = check_sentence(SummarySentence(text + "!", ("a",), SentenceRef("a", 0)), index)
    assert not edited.verbatim and not edited.unsupported  # near-identical still supports


def test_bootstrap_intervals_are_seeded_and_bracket_the_mean() -> None:
    rows = [[0.1 * k, 0.5] for k in range(10)]
    first = bootstrap_intervals(rows, resamples=200, seed=3)
    assert first == bootstrap_intervals(rows, resamples=200, seed=3)
    (low, high), constant = first
    assert low < 0.45 < high and constant == pytest.approx((0.5, 0.5))


def test_multiling_first_two_clusters() -> None:
    dataset = DATA / "multiling2011-en.jsonl"
    if not dataset.exists():
        pytest.skip(f"{dataset} is absent")
    if importlib.util.find_spec("sumy") is None:
        pytest.skip("sumy (eval extra) absent")
    document = _json(str(dataset), "--words", "250", "--limit", "2")
    assert document["clusters"] == 2
    assert set(document["methods"]) == {"storyfuse", "lead", "random", *PEERS}
    for method in document["methods"].values():
        assert method["faithful"] == 1.0 and method["rouge1"]["f"] > 30


def test_focus_field_gives_each_cluster_its_topic_and_a_missing_one_is_an_error(
    tmp_path: Path,
) -> None:
    records = [json.loads(line) for line in CLUSTERS.read_text().splitlines() if line.strip()]
    focused = tmp_path / "focused.jsonl"
    focused.write_text(
        "\n".join(json.dumps({**r, "query": "ferries for commuters"}) for r in records) + "\n"
    )
    clusters = list(read_clusters(focused, focus_field="query"))
    assert {c.focus for c in clusters} == {"ferries for commuters"}
    assert all(c.focus == "" for c in read_clusters(focused))
    saved = tmp_path / "summaries.jsonl"
    args = ("--words", "40", "--method", "storyfuse", "--save-summaries", str(saved))
    document = _json(str(focused), *args, "--focus-field", "query")
    assert document["clusters"] == len(records)
    bridge = next(json.loads(line) for line in saved.read_text().splitlines())
    assert any("ferries" in s["text"].lower() for s in bridge["summary"])
    code, _, err = _run(str(CLUSTERS), "--words", "20", *FAST, "--focus-field", "query")
    assert code == 1 and "line 1: no text field 'query' to focus on" in err


def test_quote_speakers_get_the_audits_attribution_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    courier = (FIXTURES / "audit" / "courier.txt").read_text(encoding="utf-8")
    ledger = (FIXTURES / "audit" / "ledger.txt").read_text(encoding="utf-8")
    dataset = tmp_path / "quotes.jsonl"
    record = {"id": "fire", "documents": [courier, ledger], "summaries": ["A fire."]}
    dataset.write_text(json.dumps(record) + "\n")
    document = _json(str(dataset), "--words", "60", "--method", "lead")
    # the nurse's quote, credited as the courier prints it (without the story's people,
    # the baker's "she said" stays unresolved and unchecked)
    assert document["quotes_attribution"] == {"checked": 1, "failed": 0}

    import storyfuse.evaluation.audit as audit

    real = audit.extract_quotes

    def wrong_speaker(*args: Any) -> Any:
        return tuple(replace(q, speaker="Tobias Harrow") for q in real(*args))

    monkeypatch.setattr(audit, "extract_quotes", wrong_speaker)
    document = _json(str(dataset), "--words", "60", "--method", "lead")
    # every quote credited to the mayor, whom no article names beside any of them
    assert document["quotes_attribution"] == {"checked": 4, "failed": 4}
    assert {f["method"] for f in document["failures"]} == {"quotes"}
    assert all(f["sentence"].startswith("Tobias Harrow: ") for f in document["failures"])
