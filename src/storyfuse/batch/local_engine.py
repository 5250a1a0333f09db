"""The batch plan on one machine: each stage mapped over a process pool, groups in memory.

Every per-record and per-group step is a function of :mod:`storyfuse.batch.stages`
mapped over the pool's processes; the groupings between them (by outlet, by
text, by blocking key, by block, by story) are dictionaries in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any, TypeVar

from storyfuse.batch import stages, tables, timing
from storyfuse.batch.stages import (
    BatchOptions,
    Described,
    Link,
    Located,
    Partial,
    Prepared,
    Vector,
)
from storyfuse.batch.timing import BatchResult, StageClock
from storyfuse.models import Article, InputError
from storyfuse.processes import exit_with_parent

T = TypeVar("T")

# What a stage's workers read instead of receiving it with every item: set before they fork.
_SHARED: dict[str, Any] = {}


def _forked_pool(processes: int) -> Pool:
    """Forked workers that the kernel ends with this process, however it ends."""
    return multiprocessing.get_context("fork").Pool(
        processes, initializer=exit_with_parent, initargs=(os.getpid(),)
    )


class _Mapper:
    """``starmap`` over a pool of ``processes`` (in this process when there is one)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: Pool | None = None
        if processes > 1:
            self._pool = _forked_pool(processes)

    def starmap(self, function: Callable[..., T], items: Sequence[tuple[Any, ...]]) -> list[T]:
        if self._pool is None:
            return [function(*item) for item in items]
        chunk = max(1, len(items) // (self.processes * 8))
        return self._pool.starmap(function, items, chunksize=chunk)

    def starmap_shared(
        self, function: Callable[..., T], items: Sequence[tuple[Any, ...]], shared: dict[str, Any]
    ) -> list[T]:
        """Like :meth:`starmap`, the workers forked anew to see ``shared`` as ``_SHARED``."""
        _SHARED.update(shared)
        try:
            if self.processes == 1:
                return [function(*item) for item in items]
            with _forked_pool(self.processes) as pool:
                chunk = max(1, len(items) // (self.processes * 8))
                return pool.starmap(function, items, chunksize=chunk)
        finally:
            _SHARED.clear()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()


def _local_path(given: str) -> str:
    return given.removeprefix("file://") if given.startswith("file:///") else given


def run_local(
    inputs: Sequence[str], out: Path, options: BatchOptions, processes: int
) -> BatchResult:
    """Run the batch plan on ``inputs`` (local paths) with ``processes`` processes."""
    clock = StageClock()
    mapper = _Mapper(processes)
    try:
        errors, stories = _plan(inputs, out, options, mapper, clock)
    finally:
        mapper.close()
    result = BatchResult(
        articles=sum(len(s) for s in stories.values()),
        stories=len(stories),
        rejected=len(errors),
        stages=clock.times(),
    )
    engine = f"local, {processes} process{'es' if processes > 1 else ''}"
    report = timing.job_json(engine, result)
    (out / timing.JOB_JSON).write_text(report + "\n", encoding="utf-8")
    return result


def _plan(
    inputs: Sequence[str],
    out: Path,
    options: BatchOptions,
    mapper: _Mapper,
    clock: StageClock,
) -> tuple[list[InputError], dict[str, list[str]]]:
    errors: list[InputError] = [
        InputError(given, "a URI input needs --engine spark") for given in inputs if _remote(given)
    ]
    with clock.stage("read"):
        files, missing = stages.list_inputs([_local_path(i) for i in inputs if not _remote(i)])
        errors += missing
        located: list[Located] = []
        for results in mapper.starmap(
            stages.read_file, [(rank, path, named) for rank, (path, named) in enumerate(files)]
        ):
            for result in results:
                (errors if isinstance(result, InputError) else located).append(result)  # type: ignore[arg-type]
    with clock.stage("clean"):
        articles = _clean(located, mapper, errors)
    with clock.stage("describe"):
        described = mapper.starmap(stages.describe, [(a, options) for a in articles])
        frequencies: Counter[str] = Counter()
        for item in described:
            frequencies.update(term for term, _ in item.features.terms)
        bar = stages.corpus_bar(len(articles), options)
        vectors = mapper.starmap(
            stages.unit_vector,
            [
                (d.features, {t: frequencies[t] for t, _ in d.features.terms}, len(articles))
                for d in described
            ],
        )
    with clock.stage("block"):
        links = _links(described, vectors, bar, options, mapper)
    with clock.stage("cluster"):
        ids = [a.id for a in articles]
        block_of = stages.components(
            ids, ((k.first, k.second) for k in links if stages.joins_blocks(k, bar))
        )
        blocks: defaultdict[str, list[tuple[Any, Vector]]] = defaultdict(list)
        for item, vector in zip(described, vectors, strict=True):
            blocks[block_of[item.features.id]].append((item.features, vector))
        story_of: dict[str, str] = {}
        for assignments in mapper.starmap(
            stages.cluster_block, [(members, bar, options) for members in blocks.values()]
        ):
            story_of.update(assignments)
    with clock.stage("tell"):
        by_story: defaultdict[str, list[Article]] = defaultdict(list)
        for article in articles:
            by_story[story_of[article.id]].append(article)
        lines = mapper.starmap(
            stages.tell_story, [(story, group, options) for story, group in by_story.items()]
        )
    with clock.stage("write"):
        _write(out, articles, story_of, _near_duplicates(links), lines, errors)
    return errors, {story: [a.id for a in group] for story, group in by_story.items()}


def _remote(given: str) -> bool:
    return stages.is_uri(given) and not given.startswith("file:///")


def _clean(located: list[Located], mapper: _Mapper, errors: list[InputError]) -> list[Article]:
    texts: defaultdict[str, list[str]] = defaultdict(list)
    for item in located:
        if item.outlet:
            texts[item.outlet].append(item.document.text)
    repeated = dict(
        zip(
            texts,
            mapper.starmap(stages.outlet_repeated_lines, list(texts.items())),
            strict=True,
        )
    )
    empty: frozenset[str] = frozenset()
    by_text: defaultdict[str, list[Prepared]] = defaultdict(list)
    for result in mapper.starmap(
        stages.prepare, [(item, repeated.get(item.outlet or "", empty)) for item in located]
    ):
        if isinstance(result, InputError):
            errors.append(result)
        else:
            by_text[result.article.id].append(result)
    kept: list[Prepared] = []
    for copies in by_text.values():
        first, duplicates = stages.keep_first(copies)
        kept.append(first)
        errors.extend(duplicates)
    return [p.article for p in sorted(kept, key=lambda p: p.order)]


def _links(
    described: Sequence[Described],
    vectors: Sequence[Vector],
    bar: float,
    options: BatchOptions,
    mapper: _Mapper,
) -> list[Link]:
    holders: defaultdict[tuple[str, ...], list[str]] = defaultdict(list)
    dated: dict[str, bool] = {}
    for keys, item in zip(
        mapper.starmap(
            stages.blocking_keys, [(d, v, options) for d, v in zip(described, vectors, strict=True)]
        ),
        described,
        strict=True,
    ):
        for key, is_dated in keys:
            holders[key].append(item.features.id)
            dated[item.features.id] = is_dated
    shared = [
        (key, members, bar, options)
        for key, members in holders.items()
        if stages.key_can_pair(key, [dated[i] for i in members], options)
    ]
    held = {
        d.features.id: stages.Holder(
            d.features.id, dated[d.features.id], v, d.minhash, stages.age_of(d.features)
        )
        for d, v in zip(described, vectors, strict=True)
        if d.features.id in dated
    }
    partials: dict[tuple[str, str], Partial] = {}
    for found in mapper.starmap_shared(_key_links, shared, {"held": held}):
        for pair, partial in found:
            known = partials.get(pair)
            partials[pair] = partial if known is None else known + partial
    links = (stages.pair_link(pair, partial, options) for pair, partial in sorted(partials.items()))
    return [link for link in links if stages.matters(link, bar)]


def _key_links(
    key: stages.BlockKey, members: list[str], bar: float, options: BatchOptions
) -> list[tuple[tuple[str, str], Partial]]:
    """The pairs of one shared key, scored by a worker that sees every article."""
    held = _SHARED["held"]
    return stages.key_links(key, [held[i] for i in members], bar, options)


def _near_duplicates(links: Iterable[Link]) -> dict[str, str]:
    """Each article's oldest near duplicate (by date, then id), when it is not itself the oldest."""
    oldest: dict[str, stages.Age] = {}
    for link in links:
        if link.copy is not None:
            younger, older = link.copy
            oldest[younger] = min(oldest.get(younger, older), older)
    return {younger: older[1] for younger, older in oldest.items()}


def _write(
    out: Path,
    articles: Sequence[Article],
    story_of: dict[str, str],
    near: dict[str, str],
    lines: list[str],
    errors: list[InputError],
) -> None:
    lines = sorted(lines, key=stages.story_order)
    tables.write_lines(out / tables.STORIES_JSONL, lines)
    tables.write_lines(
        out / tables.REJECTED_JSONL, map(stages.error_line, sorted(errors, key=stages.error_order))
    )
    tables.write_table(
        out,
        tables.ARTICLES,
        (tables.article_row(a, story_of[a.id], near.get(a.id)) for a in articles),
    )
    story_rows = [tables.story_rows(line) for line in lines]
    tables.write_table(out, tables.STORIES, (row for row, _ in story_rows))
    tables.write_table(
        out, tables.STORY_ARTICLES, (member for _, members in story_rows for member in members)
    )
