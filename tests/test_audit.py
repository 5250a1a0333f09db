"""storyfuse audit: every kind of false claim is caught, and the real pipeline makes none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyfuse.cli import main
from storyfuse.evaluation.audit import (
    CONTRADICTION_PRINTED,
    FACT_PRINTED,
    FACT_SUPPORTED,
    QUOTE_VERBATIM,
    SPEAKER_ATTRIBUTED,
    SPEAKER_NAMED,
    SUMMARY_PRINTED,
    SUMMARY_SUPPORTED,
    UNIQUE_PRINTED,
    AuditResult,
    audit_report,
)
from storyfuse.models import (
    Contradiction,
    Fact,
    Quote,
    RawDocument,
    Report,
    SentenceRef,
    Story,
    SummarySentence,
    UniqueFact,
)
from storyfuse.pipeline import prepare_articles

from helpers import FIXTURES, ROOT, SEEDS

AUDIT = FIXTURES / "audit"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _audit(**claims: object) -> tuple[AuditResult, str, str]:
    """Audit one hand-made story over the two fixture articles; return it and their ids."""
    documents = [
        RawDocument(source=str(path), text=path.read_text(encoding="utf-8"), outlet=path.stem)
        for path in sorted(AUDIT.glob("*.txt"))
    ]
    articles, errors = prepare_articles(documents)
    assert not errors
    ids = {article.outlet: article.id for article in articles}
    courier, ledger = ids["courier"], ids["ledger"]
    built = {name: value(courier, ledger) for name, value in claims.items()}  # type: ignore[operator]
    story = Story(
        id="s-test",
        headline="Warehouse fire",
        articles=(courier, ledger),
        independent_sources=2,
        summary=built.get("summary", ()),
        shared_facts=built.get("shared_facts", ()),
        unique_facts=built.get("unique_facts", ()),
        quotes=built.get("quotes", ()),
        entities=(),
        contradictions=built.get("contradictions", ()),
    )
    report = Report(articles=articles, stories=(story,))
    raw = {document.source: document.text for document in documents}
    return audit_report(report, raw), courier, ledger


def _failed(result: AuditResult) -> dict[str, int]:
    return dict(result.failed())


FIRE = "More than 90 firefighters were sent to the warehouse on Quay 7 late on Tuesday."
PRICE = (
    '"Price stability is the foundation on which every other economic goal rests,"'
    " the governor said."
)


def test_a_citation_to_an_article_printing_another_figure_fails() -> None:
    result, _, _ = _audit(summary=lambda c, g: (SummarySentence(FIRE, (c, g), SentenceRef(c, 0)),))
    assert result.checked[SUMMARY_PRINTED] == 1 and result.checked[SUMMARY_SUPPORTED] == 2
    assert _failed(result) == {SUMMARY_SUPPORTED: 1}
    assert "ledger" in (result.failures[0].article or "")


def test_a_fact_credited_to_an_article_that_only_paraphrases_it_fails() -> None:
    result, _, _ = _audit(shared_facts=lambda c, g: (Fact(PRICE, (c, g)),))
    assert _failed(result) == {FACT_SUPPORTED: 1}
    assert "courier" in (result.failures[0].article or "")


def test_a_sentence_stitched_across_removed_text_is_not_printed() -> None:
    stitched = (
        "The crews kept the fire from the homes, a fire service spokesman said. "
        "The council will meet on Friday to discuss the damage."
    )
    printed = "The council will meet on Friday to discuss the damage."
    result, _, _ = _audit(
        unique_facts=lambda c, g: (UniqueFact(c, stitched), UniqueFact(c, printed)),
        summary=lambda c, g: (SummarySentence(stitched, (c,), SentenceRef(c, 3)),),
        shared_facts=lambda c, g: (Fact(stitched, (c,)),),
    )
    # Two sentences in one claim: no single sentence of the article supports it either.
    assert _failed(result) == {
        UNIQUE_PRINTED: 1,
        SUMMARY_PRINTED: 1,
        FACT_PRINTED: 1,
        SUMMARY_SUPPORTED: 1,
        FACT_SUPPORTED: 1,
    }
    assert result.checked[UNIQUE_PRINTED] == 2


def test_a_contradiction_side_must_be_printed_in_its_article() -> None:
    wrong_side = "About 80 firefighters were sent to the warehouse."
    result, _, _ = _audit(
        contradictions=lambda c, g: (
            Contradiction(c, FIRE, g, wrong_side, (("90",), ("80",))),
            Contradiction(c, FIRE, g, FIRE.replace("More than 90", "About 80"), ((), ())),
        )
    )
    assert result.checked[CONTRADICTION_PRINTED] == 4
    assert _failed(result) == {CONTRADICTION_PRINTED: 1}


def test_quote_marks_and_spaces_are_normalised_but_words_are_not() -> None:
    curly = (
        "“Price stability is the foundation on which every other economic goal rests,”"
        "  the governor said."
    )
    result, _, _ = _audit(
        summary=lambda c, g: (
            SummarySentence(curly, (g,), SentenceRef(g, 1)),
            SummarySentence(curly.replace("economic", "monetary"), (g,), SentenceRef(g, 1)),
        )
    )
    assert _failed(result) == {SUMMARY_PRINTED: 1, SUMMARY_SUPPORTED: 1}


def test_a_quote_missing_from_a_cited_article_or_its_speaker_unnamed_fails() -> None:
    text = "We could see the flames from the bedroom window,"
    result, _, _ = _audit(
        quotes=lambda c, g: (Quote("Priya Santangelo", text, (c, g), ((c, text), (g, text))),)
    )
    assert result.checked[QUOTE_VERBATIM] == 2 and result.checked[SPEAKER_NAMED] == 2
    assert _failed(result) == {QUOTE_VERBATIM: 1, SPEAKER_NAMED: 1, SPEAKER_ATTRIBUTED: 1}
    assert all("ledger" in (failure.article or "") for failure in result.failures)


def test_a_quote_credited_to_someone_the_article_names_elsewhere_is_not_attributed() -> None:
    # The courier names Mayor Tobias Harrow, but not beside the nurse's quote.
    flames = "We could see the flames from the bedroom window,"
    lost = "We lost everything in an hour,"
    result, _, _ = _audit(
        quotes=lambda c, g: (
            Quote("Priya Santangelo", flames, (c,), ((c, flames),)),
            Quote("Tobias Harrow", flames, (c,), ((c, flames),)),
            # "she said": Hannah Oyelaran is named two sentences before the quote's
            Quote("Hannah Oyelaran", lost, (c,), ((c, lost),)),
            Quote("Tobias Harrow", lost, (c,), ((c, lost),)),
            # a name and a verb inside the quote's own words are no attribution
            Quote("Priya Santangelo", "said Priya Santangelo, a nurse", (c,), ()),
        )
    )
    assert result.checked[SPEAKER_NAMED] == 5 and result.checked[SPEAKER_ATTRIBUTED] == 5
    assert _failed(result) == {SPEAKER_ATTRIBUTED: 3}
    assert [f.claim for f in result.failures] == [
        f"Tobias Harrow: {flames}",
        f"Tobias Harrow: {lost}",
        "Priya Santangelo: said Priya Santangelo, a nurse",
    ]


def test_the_pipeline_makes_no_false_claim_on_the_fixtures_and_the_demo() -> None:
    for corpus in (AUDIT, FIXTURES / "heldout", ROOT / "demo" / "corpus"):
        code, out, err = _run("audit", str(corpus), "--json")
        assert code == 0, out + err
        document = json.loads(out)
        assert document["failures"] == []
        assert sum(check["checked"] for check in document["checks"].values()) > 10


def test_the_seeds_pass_the_audit() -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    code, out, err = _run("audit", str(SEEDS))
    assert code == 0, out + err
    assert "0 failed" in out


def test_the_old_paraphrase_citation_rule_is_caught_by_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import storyfuse.stories.compare as compare

    def every_article(ref: SentenceRef, index: object) -> tuple[str, ...]:
        return tuple(sorted(index.articles))  # type: ignore[attr-defined]

    monkeypatch.setattr(compare, "citing_articles", every_article)
    code, out, _ = _run("audit", str(ROOT / "demo" / "corpus"))
    assert code == 1
    assert "FAIL shared fact citation supported" in out


def test_clusters_are_audited_one_by_one_with_a_limit(tmp_path: Path) -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted(AUDIT.glob("*.txt"))]
    dataset = tmp_path / "clusters.jsonl"
    lines = [{"documents": texts, "summaries": ["A fire."]} for _ in range(3)]
    dataset.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    code, out, err = _run("audit", str(dataset), "--clusters", "--limit", "2", "--json")
    assert code == 0, out + err
    assert json.loads(out)["stories"] == 2
    code, _, err = _run("audit", str(dataset), "--limit", "2")
    assert code == 2 and "--limit needs --clusters" in err


def test_an_unreadable_input_is_named_and_fails_the_run(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    code, _, err = _run("audit", str(AUDIT), str(missing))
    assert code == 1 and "missing.txt" in err
