"""Seconds by stage of a batch job: wall time, and CPU time of the job's processes.

The CPU time counts this process and every process below it (the local
engine's pool workers; Spark's JVM, its executors and their Python workers),
read from ``/proc``, so a stage's CPU seconds stay meaningful on a machine
where other jobs take the cores; where ``/proc`` is absent only this
process's own time is counted. The job writes them to ``DIR/job.json``.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

JOB_JSON = "job.json"

_PROC = "/proc"
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True, slots=True)
class StageTime:
    """One stage's wall seconds and the CPU seconds the job's processes spent in it."""

    name: str
    seconds: float
    cpu_seconds: float


def _processes() -> dict[int, tuple[int, float]]:
    """Each live process's parent and the CPU seconds it has used (its reaped children's too)."""
    found: dict[int, tuple[int, float]] = {}
    try:
        entries = os.listdir(_PROC)
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"{_PROC}/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the name: state, ppid, ..., utime (12), stime, cutime, cstime (15)
        ticks = sum(int(value) for value in fields[11:15])
        found[int(entry)] = (int(fields[1]), ticks / _TICK)
    return found


def tree_cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds used so far by process ``pid`` (default: this one) and all below it.

    Counts the process, the children it has reaped and its live descendants;
    without ``/proc``, only this process and its reaped children.
    """
    processes = _processes()
    root = os.getpid() if pid is None else pid
    if root not in processes:
        own = resource.getrusage(resource.RUSAGE_SELF)
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
    children: dict[int, list[int]] = {}
    for child, (parent, _) in processes.items():
        children.setdefault(parent, []).append(child)
    total, todo = 0.0, [root]
    while todo:
        current = todo.pop()
        total += processes[current][1]
        todo.extend(children.get(current, []))
    return total


@dataclass
class StageClock:
    """Times the stages of a job as they run; a stage run twice adds up."""

    stages: dict[str, tuple[float, float]] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as stage ``name``."""
        start, start_cpu = time.perf_counter(), tree_cpu_seconds()
        try:
            yield
        finally:
            wall, cpu = self.stages.get(name, (0.0, 0.0))
            self.stages[name] = (
                wall + time.perf_counter() - start,
                cpu + tree_cpu_seconds() - start_cpu,
            )

    def times(self) -> tuple[StageTime, ...]:
        """The stages in the order they first ran."""
        return tuple(StageTime(name, wall, cpu) for name, (wall, cpu) in self.stages.items())


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch job made, and the time each stage took."""

    articles: int
    stories: int
    rejected: int
    stages: tuple[StageTime, ...]


def job_json(engine: str, result: BatchResult) -> str:
    """What ``DIR/job.json`` holds: the engine, the counts and the time by stage."""
    stages = [
        {"name": s.name, "seconds": round(s.seconds, 3), "cpu_seconds": round(s.cpu_seconds, 3)}
        for s in result.stages
    ]
    counts = {"articles": result.articles, "stories": result.stories, "rejected": result.rejected}
    return json.dumps({"engine": engine, **counts, "stages": stages}, indent=2)
