"""``storyfuse batch`` (local and Spark engines) and ``storyfuse ingest --from-batch``.

The Spark tests share one ``local[2]`` session and skip, with the reason,
when pyspark or Java is absent; the 2,000-article parity test reads
../shared/data/multinews-val.jsonl and skips when it is absent.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from storyfuse.batch import tables
from storyfuse.batch.local_engine import run_local
from storyfuse.batch.stages import BatchOptions
from storyfuse.cli.main import main
from storyfuse.pipeline import summarize_paths
from storyfuse.render import report_json

from helpers import crash_log_text

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "corpus"
MULTINEWS = ROOT.parent / "shared" / "data" / "multinews-val.jsonl"
LOCAL_STAGES = ("read", "clean", "describe", "block", "cluster", "tell", "write")

pytest.importorskip("pyarrow", reason="storyfuse batch writes Parquet with pyarrow (extra: batch)")


def _stories(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / tables.STORIES_JSONL).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _partition(folder: Path) -> dict[str, str]:
    return {r["article_id"]: r["story_id"] for r in tables.read_table(folder, "story_articles")}


def _bad_inputs(folder: Path) -> Path:
    """Two reports of one flood, a malformed JSONL line, an empty page, a broken archive."""
    folder.mkdir()
    reports = [
        {
            "title": "Flood closes the river road",
            "outlet": "Valley Times",
            "published": "2025-03-01",
            "text": "The river road was closed on Saturday after the Lanning river burst its "
            "banks near Oakridge, officials said.\n\nCrews expect the road to reopen on "
            "Monday once the water recedes, the county engineer said.",
        },
        {
            "title": "River road shut by flood",
            "outlet": "Oakridge Herald",
            "published": "2025-03-01",
            "text": "Officials closed the river road near Oakridge on Saturday when the "
            "Lanning river flooded it.\n\nThe county engineer said the road should reopen "
            "on Monday.",
        },
    ]
    lines = [json.dumps(reports[0]), "{not json", json.dumps(reports[1])]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "empty.html").write_text("", encoding="utf-8")
    (folder / "broken.warc").write_bytes(
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\n<html>cut"
    )
    return folder


def test_local_batch_gives_the_stories_summarize_gives_on_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(DEMO), "--out", str(out), "--processes", "2"])
    assert result.exit_code == 0, result.output
    expected = json.loads(report_json(summarize_paths([DEMO])))["stories"]
    assert len(expected) == 3
    assert _stories(out) == expected
    articles = tables.read_table(out, tables.ARTICLES)
    assert sorted(a["id"] for a in articles) == sorted(
        a for story in expected for a in story["articles"]
    )
    assert {a["id"]: a["story_id"] for a in articles} == _partition(out)
    assert (out / tables.REJECTED_JSONL).read_text(encoding="utf-8") == ""
    job = json.loads((out / "job.json").read_text(encoding="utf-8"))
    assert (job["engine"], job["articles"], job["stories"], job["rejected"]) == (
        "local, 2 processes",
        13,
        3,
        0,
    )
    assert [stage["name"] for stage in job["stages"]] == list(LOCAL_STAGES)
    assert all(stage["seconds"] > 0 and stage["cpu_seconds"] >= 0 for stage in job["stages"])


def test_bad_inputs_are_rejected_with_reasons_and_the_job_goes_on(tmp_path: Path) -> None:
    folder = _bad_inputs(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    assert "2 articles in 1 story, 3 rejected" in result.output
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text().splitlines()]
    reasons = {Path(r["source"].split(":")[0]).name: r["reason"] for r in rejected}
    assert reasons["news.jsonl"].startswith("malformed JSON")
    assert rejected[2]["source"] == f"{folder / 'news.jsonl'}:2"
    assert reasons["empty.html"] == "empty file"
    assert reasons["broken.warc"].startswith("damaged archive record")
    (story,) = _stories(out)
    assert len(story["articles"]) == 2 and story["independent_sources"] == 2


def test_ingest_from_batch_loads_the_stories_into_a_store(tmp_path: Path) -> None:
    out, db = tmp_path / "out", tmp_path / "store.db"
    run_local([str(DEMO)], out, BatchOptions(), processes=1)
    runner = CliRunner()
    loaded = runner.invoke(main, ["ingest", "--from-batch", str(out), "--db", str(db), "--json"])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output) == {"added": 13, "duplicate": 0, "stories": 3, "rejected": 0}
    listed = runner.invoke(main, ["stories", "--db", str(db), "--json"])
    rows = {row["id"]: row for row in json.loads(listed.output)}
    for story in _stories(out):
        assert rows[story["id"]]["size"] == len(story["articles"])
        assert rows[story["id"]]["headline"] == story["headline"]
    again = runner.invoke(main, ["ingest", "--from-batch", str(out), "--db", str(db), "--json"])
    assert json.loads(again.output)["added"] == 0
    both = runner.invoke(main, ["ingest", str(DEMO), "--from-batch", str(out), "--db", str(db)])
    assert both.exit_code == 2


# -- Spark -----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local[2] Spark session for every Spark test."""
    pytest.importorskip("pyspark", reason="pyspark is absent (extra: spark)")
    if shutil.which("java") is None:
        pytest.skip("java is absent (Debian: openjdk-17-jre-headless)")
    from storyfuse.batch.spark_engine import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _assert_same_result(local: Path, distributed: Path) -> None:
    for name in (tables.STORIES_JSONL, tables.REJECTED_JSONL):
        assert (distributed / name).read_bytes() == (local / name).read_bytes(), name
    assert _partition(distributed) == _partition(local)
    for name in (tables.ARTICLES, tables.STORIES):
        key = "id"
        ours = sorted(tables.read_table(distributed, name), key=lambda row: row[key])
        assert ours == sorted(tables.read_table(local, name), key=lambda row: row[key])


def test_spark_gives_the_local_result_on_the_demo(spark: Any, tmp_path: Path) -> None:
    run_local([str(DEMO)], tmp_path / "local", BatchOptions(), processes=2)
    out = tmp_path / "spark"
    command = ["batch", str(DEMO), "--out", str(out), "--engine", "spark"]
    setting = "spark.sql.shuffle.partitions"
    try:  # the session exists already, so a setting it can take while running is asked
        result = CliRunner().invoke(main, [*command, "--spark-conf", f"{setting}=3"])
        assert spark.conf.get(setting) == "3"  # --spark-conf reached the session
    finally:
        spark.conf.set(setting, "8")
    assert result.exit_code == 0, result.output
    assert "13 articles in 3 stories, 0 rejected" in result.output
    _assert_same_result(tmp_path / "local", out)
    job = json.loads((out / "job.json").read_text(encoding="utf-8"))
    names = [stage["name"] for stage in job["stages"]]
    assert names == ["start", "read", "clean", "describe", "weigh", *LOCAL_STAGES[3:]]
    assert job["engine"] == "spark, local[2]" and job["articles"] == 13


def test_a_local_spark_session_gets_a_larger_heap_unless_told(spark: Any) -> None:
    from storyfuse.batch.spark_engine import LOCAL_DRIVER_MEMORY, session_conf

    assert spark.sparkContext.getConf().get("spark.driver.memory") == LOCAL_DRIVER_MEMORY
    heap = spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory()
    assert heap > 2 * 2**30  # Spark's own default would give 1 GB
    told = session_conf("local[2]", (("spark.driver.memory", "2g"), ("spark.driver.memory", "6g")))
    assert told["spark.driver.memory"] == "6g"  # the last one given wins
    assert "spark.driver.memory" not in session_conf("spark://host:7077")  # the cluster's own


def test_spark_conf_is_key_equals_value_and_for_spark_only(tmp_path: Path) -> None:
    command = ["batch", str(DEMO), "--out", str(tmp_path / "out")]
    malformed = CliRunner().invoke(main, [*command, "--engine", "spark", "--spark-conf", "8g"])
    assert malformed.exit_code == 2
    assert "'8g' is not KEY=VALUE" in malformed.output
    local = CliRunner().invoke(main, [*command, "--spark-conf", "spark.driver.memory=8g"])
    assert local.exit_code == 2
    assert "--spark-conf is for --engine spark" in local.output
    assert not (tmp_path / "out").exists()


def test_a_failed_job_exits_3_with_one_line_and_the_traceback_in_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a task failed")

    monkeypatch.setattr("storyfuse.batch.local_engine.run_local", fail)
    result = CliRunner().invoke(main, ["batch", str(DEMO), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    crash_log_text(result.stderr, tmp_path / "state", "RuntimeError: a task failed")


def test_a_missing_extra_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    command = ["batch", str(DEMO), "--out", str(tmp_path / "out"), "--engine", "spark"]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    assert "--engine spark needs" in result.stderr
    assert "Traceback" not in result.output


def test_spark_reads_uris_and_rejects_bad_inputs_as_local_does(spark: Any, tmp_path: Path) -> None:
    from storyfuse.batch.spark_engine import run_spark

    folder = _bad_inputs(tmp_path / "in")
    run_local([str(folder)], tmp_path / "local", BatchOptions(), processes=1)
    missing = (tmp_path / "nowhere").as_uri()
    result = run_spark(
        [folder.as_uri(), missing], (tmp_path / "spark").as_uri(), BatchOptions(), "local[2]"
    )
    assert (result.articles, result.stories, result.rejected) == (2, 1, 4)
    stories = tmp_path / "spark" / tables.STORIES_JSONL
    assert stories.read_bytes() == (tmp_path / "local" / tables.STORIES_JSONL).read_bytes()
    rejected = [json.loads(line) for line in (tmp_path / "spark" / "rejected.jsonl").open()]
    local = [json.loads(line) for line in (tmp_path / "local" / "rejected.jsonl").open()]
    assert [r["reason"] for r in rejected if r["source"] != missing] == [r["reason"] for r in local]
    assert all(r["source"].startswith("file:") for r in rejected)
    assert {"source": missing, "reason": "does not exist"} in rejected


@pytest.mark.slow
def test_spark_gives_the_local_result_on_2000_multinews_articles(
    spark: Any, tmp_path: Path
) -> None:
    from storyfuse.batch.spark_engine import run_spark

    if not MULTINEWS.exists():
        pytest.skip(f"{MULTINEWS} is absent")
    corpus = tmp_path / "multinews.jsonl"
    with MULTINEWS.open(encoding="utf-8") as lines, corpus.open("w", encoding="utf-8") as out:
        written = 0
        for line in lines:
            for text in json.loads(line)["raw_document"]:
                if text.strip() and written < 2000:
                    out.write(json.dumps({"text": text}) + "\n")
                    written += 1
    run_local([str(corpus)], tmp_path / "local", BatchOptions(), processes=2)
    result = run_spark([str(corpus)], str(tmp_path / "spark"), BatchOptions(), "local[2]")
    assert result.articles > 1500 and result.stories > 500
    _assert_same_result(tmp_path / "local", tmp_path / "spark")


def _hostile_inputs(folder: Path) -> Path:
    """Inputs the ingest refuses: out-of-range dates, lone surrogates, junk, a copy, logs."""
    folder.mkdir()
    story = (
        "The harbour ferry to Saltmere was cancelled on Tuesday after a storm damaged the "
        "pier, the operator said.\n\nRepairs are expected to take a week, and a bus will "
        "carry passengers around the bay until then, the operator added."
    )
    other = (
        "Saltmere's harbour ferry stopped running on Tuesday because the storm wrecked its "
        "pier, according to the operator.\n\nA replacement bus goes around the bay while "
        "the pier is repaired, which should take about a week."
    )
    records = [
        json.dumps({"title": "Ferry cancelled", "published": "2025-05-06", "text": story}),
        json.dumps({"title": "Too old", "published": "0999-12-31", "text": other}),
        '{"title": "Surrogate \\ud800 title", "published": "2025-05-06", "text": '
        + json.dumps(other)
        + "}",
        json.dumps({"title": "Copy", "published": "2025-05-06", "text": story}),
        json.dumps({"title": "Nothing", "text": "   "}),
        json.dumps(["not", "an", "object"]),
        '{"text": "cut',
        json.dumps({"text": "Advertisement"}),
        json.dumps({"text": story, "published": "yesterday"}),
    ]
    (folder / "news.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    (folder / "log.txt").write_text(
        "\n".join(f"2025-05-06 10:00:{s:02} INFO worker {s} started" for s in range(30)) + "\n",
        encoding="utf-8",
    )
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02binary" * 100)
    (folder / "blank.html").write_text("<html><body></body></html>", encoding="utf-8")
    return folder


def _ingest_rejections(folder: Path, db: Path) -> list[tuple[str, str]]:
    """What ``storyfuse ingest`` rejects of ``folder``, and why."""
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    return sorted((r["source"], r["reason"]) for r in report["rejected"])


def _batch_rejections(out: Path) -> list[tuple[str, str]]:
    """What a batch rejected, but exact duplicates (an ingest counts those as duplicates)."""
    lines = (out / tables.REJECTED_JSONL).read_text(encoding="utf-8").splitlines()
    return sorted(
        (r["source"], r["reason"])
        for r in map(json.loads, lines)
        if not r["reason"].startswith("exact duplicate of ")
    )


def test_batch_rejects_hostile_inputs_as_the_ingest_does(tmp_path: Path) -> None:
    folder = _hostile_inputs(tmp_path / "in")
    expected = _ingest_rejections(folder, tmp_path / "store.db")
    reasons = dict(expected)
    assert "out of range" in reasons[f"{folder / 'news.jsonl'}:2"]
    assert len(expected) == 9, expected
    result = run_local([str(folder)], tmp_path / "out", BatchOptions(), processes=1)
    assert _batch_rejections(tmp_path / "out") == expected
    assert (result.articles, result.rejected) == (2, len(expected) + 1)
    titles = {row["title"] for row in tables.read_table(tmp_path / "out", tables.ARTICLES)}
    assert titles == {"Ferry cancelled", "Surrogate \ufffd title"}


def test_spark_rejects_hostile_inputs_as_the_ingest_does(spark: Any, tmp_path: Path) -> None:
    from storyfuse.batch.spark_engine import run_spark

    folder = _hostile_inputs(tmp_path / "in")
    expected = _ingest_rejections(folder, tmp_path / "store.db")
    result = run_spark([str(folder)], str(tmp_path / "spark"), BatchOptions(), "local[2]")
    assert _batch_rejections(tmp_path / "spark") == expected
    assert (result.articles, result.rejected) == (2, len(expected) + 1)
