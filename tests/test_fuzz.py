"""A seeded slice of the fuzz harness (benchmarks/fuzz.py) on every run: hostile inputs in every
format, alone and in batches with good articles, through summarize and ingest."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from helpers import ROOT

BENCHMARKS = ROOT / "benchmarks"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


fuzz = _load("fuzz")
fuzz_inputs = _load("fuzz_inputs")


def test_the_generator_covers_every_format_and_is_seeded() -> None:
    first = list(fuzz_inputs.hostile_inputs(7, 200))
    again = list(fuzz_inputs.hostile_inputs(7, 200))
    assert first == again
    suffixes = Counter(item.suffix for item in first)
    assert set(suffixes) >= {".txt", ".html", ".jsonl", ".rss", ".xml", ".atom", ".json", ".warc"}
    assert len({item.family for item in first}) >= 30


@pytest.mark.parametrize("seed", [3, 11])
def test_hostile_batches_lose_nothing_and_crash_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    inputs = list(fuzz_inputs.hostile_inputs(seed, 80))
    files = fuzz.write_inputs(tmp_path, inputs, 0)
    rnd = random.Random(seed)
    good = []
    for number in range(3):
        path = tmp_path / f"good-{number}.txt"
        path.write_text(fuzz_inputs.good_article(rnd, number), encoding="utf-8")
        good.append(path)
    findings = fuzz.Findings()
    fuzz.run_alone(files, 30.0, findings)
    fuzz.run_batch(files, good, tmp_path, findings)
    assert dict(findings.counts) == {}, findings.examples


def test_the_harness_counts_a_good_article_it_cannot_find(tmp_path: Path) -> None:
    hostile = fuzz_inputs.Hostile("text-blank", ".xml", b"<?xml version='1.0'?><notes/>")
    files = fuzz.write_inputs(tmp_path, [hostile], 0)
    missing = tmp_path / "not-written.txt"  # named but never written: an error, not an article
    findings = fuzz.Findings()
    fuzz.run_batch(files, [missing], tmp_path, findings)
    assert findings.counts["good article lost (summarize)"] == 1
    assert findings.counts["good article lost (ingest)"] == 1
