"""``storyfuse eval``: measure storyfuse against labelled data, beside baselines."""

from __future__ import annotations

import contextlib
import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from storyfuse.evaluation.datasets import DatasetError
from storyfuse.evaluation.extra_imports import MissingDependency
from storyfuse.evaluation.summarize import (
    DEFAULT_METHODS,
    EvalOptions,
    evaluate_summaries,
    known_methods,
    summary_markdown,
    summary_table,
)

if TYPE_CHECKING:
    from storyfuse.evaluation.cluster import Scores, StoryErrors


@click.group("eval")
def eval_group() -> None:
    """Measure storyfuse against labelled data, side by side with baselines."""


def _command_line(ctx: click.Context) -> str:
    """The command as typed (the arguments and options given), for reports."""
    words = ctx.command_path.split()
    for param in ctx.command.params:
        name = param.name or ""
        if ctx.get_parameter_source(name) != ParameterSource.COMMANDLINE:
            continue
        value = ctx.params[name]
        if not isinstance(param, click.Option):
            words.append(str(value))
        elif param.is_flag:
            words.append(param.opts[-1])
        else:
            for item in value if param.multiple else (value,):
                words += [param.opts[-1], str(item)]
    return shlex.join(words)


@eval_group.command("summarize")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--words", required=True, type=click.IntRange(min=10), help="Word budget.")
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(sorted(known_methods())),
    help=f"Method to run; repeatable (default: {', '.join(DEFAULT_METHODS)}).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first K clusters.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--save-summaries",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Write one {"id", "method", "summary"} line per cluster and method.',
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a Markdown table headed by this command.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of random and the bootstrap.")
@click.option(
    "--focus-field",
    metavar="FIELD",
    help="Focus each cluster's summaries on the topic statement in this field (DUC: query).",
)
def eval_summarize_command(
    dataset: Path,
    words: int,
    methods: tuple[str, ...],
    limit: int | None,
    as_json: bool,
    save_summaries: Path | None,
    report: Path | None,
    seed: int,
    focus_field: str | None,
) -> None:
    """Score each method's summaries of labelled clusters with ROUGE, side by side.

    \b
    Example:
        storyfuse eval summarize ../shared/data/multiling2011-en.jsonl --words 250
        storyfuse eval summarize data.jsonl --words 300 --method storyfuse --method lexrank --json
        storyfuse eval summarize ../shared/data/duc2006.jsonl --words 250 --focus-field query
    """
    options = EvalOptions(words, methods or DEFAULT_METHODS, limit, seed, focus_field=focus_field)
    for path in (save_summaries, report):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    sink = save_summaries.open("w", encoding="utf-8") if save_summaries else None
    try:
        with sink or contextlib.nullcontext():
            result = evaluate_summaries(dataset, options, sink)
    except (DatasetError, MissingDependency) as error:
        raise click.ClickException(str(error)) from None
    text = json.dumps(result.as_json(), indent=2, ensure_ascii=False) if as_json else None
    click.echo(text or summary_table(result), nl=text is not None)
    if report is not None:
        command = _command_line(click.get_current_context())
        report.write_text(summary_markdown(result, command), encoding="utf-8")
        click.echo(f"storyfuse: wrote {report}", err=True)


@eval_group.command("cluster")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--limit", type=click.IntRange(min=0), default=0, help="Read only the first N lines.")
@click.option(
    "--save-assignments",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Write one {"id", "story"} line per article.',
)
@click.option(
    "--batch",
    type=click.IntRange(min=0),
    default=0,
    help="Feed the stream in batches of N articles, as a store would (0: all at once).",
)
def eval_cluster_command(
    dataset: Path, as_json: bool, limit: int, save_assignments: Path | None, batch: int
) -> None:
    """Cluster a labelled set as one stream; print BCubed and pairwise scores.

    \b
    Example:
        storyfuse eval cluster ../shared/data/ecbplus.jsonl
        storyfuse eval cluster ../shared/data/ecbplus.jsonl --batch 100
    """
    from storyfuse.evaluation.cluster import BASELINE, evaluate_clustering

    try:
        result = evaluate_clustering(dataset, limit=limit, batch=batch)
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    if save_assignments is not None:
        with save_assignments.open("w", encoding="utf-8") as handle:
            for identifier, story in result.assignments:
                handle.write(json.dumps({"id": identifier, "story": story}) + "\n")
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
        return
    click.echo(
        f"dataset: {result.dataset}  articles: {result.articles}  "
        f"batches of: {result.batch or 'all'}  "
        f"gold stories: {result.gold_stories}  stories: {result.stories}"
    )
    _echo_cluster_scores(result.bcubed, result.pairwise, result.errors)
    click.echo(f"articles per second: {result.articles_per_second:.1f}")
    click.echo(f"baseline, {BASELINE}: stories: {result.baseline.stories}")
    baseline = result.baseline
    _echo_cluster_scores(baseline.bcubed, baseline.pairwise, baseline.errors)


def _echo_cluster_scores(bcubed: Scores, pairwise: Scores, errors: StoryErrors) -> None:
    for name, scores in (("BCubed", bcubed), ("pairwise", pairwise)):
        click.echo(f"{name:>8}: P {scores.p:.4f}  R {scores.r:.4f}  F1 {scores.f:.4f}")
    click.echo(
        f"  errors: {errors.split} gold stories split in two or more, "
        f"{errors.merged} stories merging two or more gold ones"
    )


@eval_group.command("extract")
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first K pages.")
@click.option("--seed", default=0, show_default=True, help="Seed of the bootstrap.")
def eval_extract_command(dataset: Path, as_json: bool, limit: int | None, seed: int) -> None:
    """Score HTML extraction against human gold text, storyfuse beside plain trafilatura.

    DATASET is a folder laid out like Zyte's article-extraction benchmark
    (ground-truth.json and html/*.html.gz). Precision, recall and F1 over
    4-token shingles, computed the way the benchmark's evaluate.py does, with
    95% bootstrap intervals.

    \b
    Example:
        storyfuse eval extract ../shared/data/article-extraction-benchmark
    """
    from storyfuse.evaluation.extract import evaluate_extraction, extraction_table

    try:
        result = evaluate_extraction(dataset, limit=limit, seed=seed)
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(result.as_json(), indent=2) if as_json else extraction_table(result))


@eval_group.command("quotes")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--split", default="dev", show_default=True, help="Score only this split ('' for all)."
)
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first K articles.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def eval_quotes_command(dataset: Path, split: str, limit: int | None, as_json: bool) -> None:
    """Score direct quotes and their speakers on PolNeAR attributions.

    Recall and precision of direct quotes, speaker accuracy on quotes whose gold
    source is a name, pronoun sources apart, and the share left without a speaker.

    \b
    Example:
        storyfuse eval quotes ../shared/data/polnear-dev.jsonl
    """
    from storyfuse.evaluation.quotes import evaluate_quotes, quote_table

    try:
        scores = evaluate_quotes(dataset, split=split or None, limit=limit)
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(scores.as_json(), indent=2) if as_json else quote_table(scores))


@eval_group.command("entities")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first K documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def eval_entities_command(dataset: Path, limit: int | None, as_json: bool) -> None:
    """Score people, organisations and places on CoNLL-2003: model and rules side by side.

    Exact-text micro F1 over the unique (text, type) pairs of each document,
    PER / ORG / LOC; the trained model runs only when the nlp extra is installed.

    \b
    Example:
        storyfuse eval entities ../shared/data/conll2003-dev.jsonl
    """
    from storyfuse.evaluation.entities import entity_table, evaluate_entities

    try:
        results = evaluate_entities(dataset, limit=limit)
    except DatasetError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps([r.as_json() for r in results], indent=2))
    else:
        click.echo(entity_table(results))
