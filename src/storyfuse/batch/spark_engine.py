"""The batch plan as Spark jobs: the stages of :mod:`storyfuse.batch.stages` over RDDs.

Every grouping of the plan is a shuffle (``groupByKey``, ``reduceByKey``,
``join``); blocks are connected components found by label propagation over
the links, a join per round. The driver holds only what is small by nature:
the list of input file names, the count of articles, the lines each outlet
repeats, and counts of labels that changed; never the articles. The output
is written by the executors, ``stories.jsonl`` and ``rejected.jsonl`` as one
sorted part each, renamed into place through the Hadoop filesystem API.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from operator import add
from pathlib import Path
from typing import Any

from storyfuse.batch import stages, tables, timing
from storyfuse.batch.stages import BatchOptions, Located, Prepared
from storyfuse.batch.timing import BatchResult, StageClock
from storyfuse.models import InputError

# Links are folded into labels this many rounds at most before the lineage is cut.
_ROUNDS_PER_CHECKPOINT = 4
# Blocking's shuffles get a task per this many articles (at least one per core): an
# article travels once per key it shares (about 50), and a task's share past PySpark's
# worker memory is spilled to disk and merged, which costs more the more it holds.
_ARTICLES_PER_BLOCK_TASK = 2_000
# Seconds between the stage clock's looks at the processes (PySpark's workers come and go).
_LOOK_EVERY = 1.0
# The heap of the one JVM of local mode (driver and executors), unless the user sets it.
LOCAL_DRIVER_MEMORY = "4g"

SparkConf = tuple[tuple[str, str], ...]
"""Spark settings as (key, value) pairs, in the order given; a later one wins."""


def _spilling() -> Any:
    """The storage level of what the plan keeps: in memory, and on local disk past it.

    Spark's default for RDDs keeps memory only and recomputes an evicted
    partition from its lineage, which for the early stages means reading and
    cleaning its input files again.
    """
    from pyspark import StorageLevel

    return StorageLevel.MEMORY_AND_DISK


def session_conf(master: str, conf: SparkConf = ()) -> dict[str, str]:
    """The settings a session started here gets: storyfuse's defaults, then ``conf``'s.

    Local mode runs the executors in the driver's JVM, so it gets a
    ``spark.driver.memory`` of :data:`LOCAL_DRIVER_MEMORY` unless ``conf``
    sets one (Spark's own default is 1 GB).
    """
    settings = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "8"}
    if master.startswith("local"):
        settings["spark.driver.memory"] = LOCAL_DRIVER_MEMORY
    return {**settings, **dict(conf)}


def spark_session(master: str, conf: SparkConf = ()) -> Any:
    """A Spark session (the one spark-submit started, or a new one on ``master``).

    ``conf`` are Spark settings (``spark.driver.memory``, ...), given to the
    session before its JVM starts; under spark-submit the JVM runs already, so
    only those a running session can take apply (give the others to spark-submit).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise tables.MissingDependency(
            "--engine spark needs pyspark: pip install 'storyfuse[spark]'"
        ) from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise tables.MissingDependency(
            "--engine spark needs Java 17 or later "
            "(Debian: apt-get install openjdk-17-jre-headless)"
        )
    builder = SparkSession.builder.appName("storyfuse batch")
    if os.environ.get("PYSPARK_GATEWAY_PORT"):  # under spark-submit: it chose the master
        settings = dict(conf)
    else:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this Python
        builder = builder.master(master)
        settings = session_conf(master, conf)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class _Output:
    """The result folder, local or on a Hadoop filesystem, seen through Hadoop's API."""

    def __init__(self, spark: Any, out: str) -> None:
        self.uri = out if stages.is_uri(out) else Path(out).resolve().as_uri()
        jvm = spark.sparkContext._jvm
        self._path = jvm.org.apache.hadoop.fs.Path
        self._fs = self._path(self.uri).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())

    def child(self, name: str) -> str:
        return self.uri.rstrip("/") + "/" + name

    def write_lines(self, name: str, lines: Any) -> None:
        """Save an RDD of lines, in its order, as the one file ``name``."""
        staging = self.child(f"_{name}.parts")
        self._fs.delete(self._path(staging), True)
        lines.coalesce(1).saveAsTextFile(staging)
        target = self._path(self.child(name))
        self._fs.delete(target, True)
        self._fs.rename(self._path(staging + "/part-00000"), target)
        self._fs.delete(self._path(staging), True)

    def files(self, uri: str) -> list[str] | None:
        """The files under ``uri`` (itself when a file); None when it does not exist."""
        path = self._path(uri)
        fs = path.getFileSystem(self._fs.getConf())
        if not fs.exists(path):
            return None
        found = fs.listFiles(path, True)
        names = []
        while found.hasNext():
            names.append(found.next().getPath().toString())
        return sorted(names)


def run_spark(
    inputs: list[str], out: str, options: BatchOptions, master: str, conf: SparkConf = ()
) -> BatchResult:
    """Run the batch plan on ``inputs`` (local paths or URIs) as Spark jobs.

    ``conf`` are Spark settings for the session (:func:`spark_session`).
    """
    clock = StageClock(every=_LOOK_EVERY)
    with clock.stage("start"):
        spark = spark_session(master, conf)
        output = _Output(spark, out)
    counts = _plan(spark, inputs, output, options, clock)
    result = BatchResult(*counts, stages=clock.times())
    report = timing.job_json(f"spark, {spark.sparkContext.master}", result)
    output.write_lines(timing.JOB_JSON, spark.sparkContext.parallelize([report], 1))
    return result


def _read(spark: Any, inputs: list[str], output: _Output) -> tuple[Any, list[InputError]]:
    """Located documents and read errors, as one RDD; and the inputs that do not exist."""
    sc = spark.sparkContext
    local_files, errors = stages.list_inputs([i for i in inputs if not stages.is_uri(i)])
    remote: list[tuple[str, bool]] = []
    for uri in (i for i in inputs if stages.is_uri(i)):
        names = output.files(uri)
        if names is None:
            errors.append(InputError(uri, "does not exist"))
        else:
            remote.extend((name, name == uri) for name in names)
    ordered = sorted(
        [(path, named, False) for path, named in local_files]
        + [(path, named, True) for path, named in remote]
    )
    ranked = list(enumerate(ordered))
    slices = max(1, min(len(ranked), sc.defaultParallelism * 4))
    results = sc.parallelize(
        [(rank, path, named) for rank, (path, named, far) in ranked if not far], slices
    ).flatMap(lambda item: stages.read_file(*item))
    far = {path: rank for rank, (path, _, is_far) in ranked if is_far}
    if far:
        rank_of = sc.broadcast(far)
        scratch = tempfile.gettempdir()
        results = results.union(
            sc.binaryFiles(",".join(far)).flatMap(
                lambda item: stages.read_file_bytes(
                    rank_of.value[item[0]], item[0], item[1], scratch
                )
            )
        )
    return results, errors


def _plan(
    spark: Any, inputs: list[str], output: _Output, options: BatchOptions, clock: StageClock
) -> tuple[int, int, int]:
    """The plan's stages; each ends by counting what it persisted, so that it can be timed."""
    sc = spark.sparkContext
    parts = sc.defaultParallelism  # tasks per stage: one per core
    with clock.stage("read"):
        results, driver_errors = _read(spark, inputs, output)
        results = results.persist(_spilling())
        results.count()
    read_errors = results.filter(lambda r: isinstance(r, InputError))
    located = results.filter(lambda r: isinstance(r, Located))
    if results.getNumPartitions() < parts:  # one large file is one partition: spread it
        located = located.repartition(parts)

    with clock.stage("clean"):
        # the lines each outlet repeats (small: a few per outlet) go to every task
        repeated = sc.broadcast(
            dict(
                located.filter(lambda item: item.outlet)
                .map(lambda item: (item.outlet, item.document.text))
                .groupByKey(parts)
                .map(lambda group: (group[0], stages.outlet_repeated_lines(group[0], group[1])))
                .collect()
            )
        )
        empty: frozenset[str] = frozenset()
        cleaned = located.map(
            lambda item: stages.prepare(item, repeated.value.get(item.outlet or "", empty))
        ).persist(_spilling())
        copies = (
            cleaned.filter(lambda r: isinstance(r, Prepared))
            .map(lambda p: (p.article.id, p))
            .groupByKey(parts)
            .map(lambda group: stages.keep_first(group[1]))
            .persist(_spilling())
        )
        articles = copies.map(lambda kept: (kept[0].article.id, kept[0].article)).persist(
            _spilling()
        )
        articles.count()
    errors = read_errors.union(cleaned.filter(lambda r: isinstance(r, InputError))).union(
        copies.flatMap(lambda kept: kept[1])
    )

    with clock.stage("describe"):
        described = articles.mapValues(lambda article: stages.describe(article, options))
        described = described.persist(_spilling())
        total = described.count()
    bar = stages.corpus_bar(total, options)
    with clock.stage("weigh"):
        postings = described.flatMap(lambda item: [(t, item[0]) for t, _ in item[1].features.terms])
        frequencies = postings.mapValues(lambda _: 1).reduceByKey(add, parts)
        own_frequencies = postings.join(frequencies, parts).map(
            lambda item: (item[1][0], (item[0], item[1][1]))
        )
        # one shuffle brings each article and the frequencies of its terms together
        weighed = (
            described.cogroup(own_frequencies, parts)
            .mapValues(lambda pair: _weighed(next(iter(pair[0])), pair[1], total))
            .persist(_spilling())
        )
        weighed.count()

    with clock.stage("block"):
        wide = max(parts, -(-total // _ARTICLES_PER_BLOCK_TASK))
        links = _links(weighed, bar, options, wide).persist(_spilling())
        links.count()
    with clock.stage("cluster"):
        blocks = _components(
            links.filter(lambda link: stages.joins_blocks(link, bar)).map(
                lambda link: (link.first, link.second)
            ),
            parts,
        )
        story_of = (
            weighed.leftOuterJoin(blocks, parts)
            .map(lambda item: (item[1][1] or item[0], (item[1][0][0].features, item[1][0][1])))
            .groupByKey(parts)
            .flatMap(lambda block: stages.cluster_block(list(block[1]), bar, options))
            .persist(_spilling())
        )
        story_of.count()
    with clock.stage("tell"):
        near = (
            links.filter(lambda link: link.copy is not None)
            .map(lambda link: link.copy)
            .reduceByKey(min, parts)
            .mapValues(lambda age: age[1])
        )
        # (id, (article, (story, near duplicate of))): the one shuffle of the articles here
        placed = articles.join(story_of.leftOuterJoin(near, parts), parts).persist(_spilling())
        told = (
            placed.map(lambda item: (item[1][1][0], item[1][0]))
            .groupByKey(parts)
            .map(lambda story: stages.tell_story(story[0], story[1], options))
            .map(lambda line: (stages.story_order(line), line))
            .persist(_spilling())  # sorting counts and samples what it sorts before sorting it
        )
        lines = told.sortByKey(numPartitions=parts).values().persist(_spilling())
        story_count = lines.count()
        told.unpersist()
    with clock.stage("write"):
        all_errors = (
            errors.union(sc.parallelize(driver_errors, 1))
            .sortBy(stages.error_order, numPartitions=parts)
            .persist(_spilling())
        )
        _write(spark, output, placed, lines, all_errors)
        counts = (total, story_count, all_errors.count())
    for rdd in (results, cleaned, copies, articles, described, weighed, links, story_of, placed):
        rdd.unpersist()
    lines.unpersist()
    all_errors.unpersist()
    return counts


def _links(weighed: Any, bar: float, options: BatchOptions, parts: int) -> Any:
    """The candidate pairs that matter, scored where the articles sharing a key meet.

    The keys are first gathered as ids alone (a key held by more articles than
    its capacity is dropped there); only the articles of the keys left are
    then joined with what scoring needs (vector, MinHash, age), so an article
    travels once per key it shares, and only pairs that may matter leave a key.
    """

    def capacity(key: stages.BlockKey) -> int:
        found = stages.key_capacity(key, options)
        return sys.maxsize if found is None else found

    def hold(held: tuple[int, list[Any]], member: Any) -> tuple[int, list[Any]]:
        limit, members = held
        if len(members) <= limit:  # one past the capacity is enough to know it is exceeded
            members.append(member)
        return held

    def fold(first: tuple[int, list[Any]], second: tuple[int, list[Any]]) -> tuple[int, list[Any]]:
        limit = first[0]
        return limit, (first[1] + second[1])[: limit + 1]

    keyed = weighed.flatMap(
        lambda item: [
            (key, (capacity(key), (item[0], dated)))
            for key, dated in stages.blocking_keys(item[1][0], item[1][1], options)
        ]
    )
    memberships = (
        keyed.combineByKey(
            lambda value: (value[0], [value[1]]),
            lambda held, value: hold(held, value[1]),
            fold,
            parts,
        )
        .filter(lambda group: stages.key_can_pair(group[0], [d for _, d in group[1][1]], options))
        .flatMap(lambda group: [(id_, (group[0], dated)) for id_, dated in group[1][1]])
    )
    lite = weighed.mapValues(
        lambda pair: (pair[1], pair[0].minhash, stages.age_of(pair[0].features))
    )
    return (
        memberships.join(lite, parts)
        .map(
            lambda item: (
                item[1][0][0],
                stages.Holder(item[0], item[1][0][1], *item[1][1]),
            )
        )
        .groupByKey(parts)
        .flatMap(lambda group: stages.key_links(group[0], group[1], bar, options))
        .reduceByKey(lambda first, second: first + second, parts)
        .map(lambda item: stages.pair_link(item[0], item[1], options))
        .filter(lambda link: stages.matters(link, bar))
    )


def _weighed(
    described: stages.Described, frequencies: Iterable[tuple[str, int]], total: int
) -> tuple[stages.Described, stages.Vector]:
    return described, stages.unit_vector(described.features, dict(frequencies), total)


def _components(edges: Any, parts: int) -> Any:
    """Each linked id's block, the smallest id of its component: labels spread along edges.

    Ids without edges are their own blocks and take no part. Each round an id
    takes the smallest label of its neighbours, then the label of its label
    (pointer jumping), so that a chain of length n settles in about log n
    rounds rather than n. A label travels as (the id, whether it is new this
    round), so that the round's last shuffle also tells whether any changed.
    """
    both = (
        edges.flatMap(lambda edge: [edge, (edge[1], edge[0])])
        .partitionBy(parts)
        .persist(_spilling())
    )
    labels = both.reduceByKey(min, parts).map(lambda item: (item[0], (min(item), False)))
    labels = labels.persist(_spilling())
    rounds = 0
    while True:
        current = labels.mapValues(lambda label: (label[0], False))
        spread = both.join(current, parts).map(lambda item: (item[1][0], (item[1][1][0], True)))
        # (id, False) < (id, True): a label equal to the one held is no change
        nearer = current.union(spread).reduceByKey(min, parts)
        jumped = (
            nearer.map(lambda item: (item[1][0], item[0]))
            .join(nearer, parts)
            .map(lambda item: (item[1][0], (item[1][1][0], True)))
        )
        updated = nearer.union(jumped).reduceByKey(min, parts).persist(_spilling())
        rounds += 1
        if rounds % _ROUNDS_PER_CHECKPOINT == 0:
            updated.localCheckpoint()
        changed = updated.filter(lambda item: item[1][1]).count()
        labels.unpersist()
        labels = updated
        if changed == 0:
            both.unpersist()
            return labels.mapValues(lambda label: label[0])


def _write(spark: Any, output: _Output, placed: Any, lines: Any, errors: Any) -> None:
    from pyspark.sql.pandas.types import from_arrow_schema

    schemas = tables.schemas()

    def table(name: str, rows: Any) -> None:
        frame = spark.createDataFrame(rows, from_arrow_schema(schemas[name]))
        frame.write.mode("overwrite").parquet(output.child(name))

    output.write_lines(tables.STORIES_JSONL, lines)
    output.write_lines(tables.REJECTED_JSONL, errors.map(stages.error_line))
    table(
        tables.ARTICLES,
        placed.map(lambda item: tables.article_row(item[1][0], *item[1][1])),
    )
    story_rows = lines.map(tables.story_rows)
    table(tables.STORIES, story_rows.map(lambda rows: rows[0]))
    table(tables.STORY_ARTICLES, story_rows.flatMap(lambda rows: rows[1]))
