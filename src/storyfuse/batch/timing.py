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
import signal
import threading
import time
from collections.abc import Collection, Iterator
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


@dataclass(frozen=True, slots=True)
class _Process:
    parent: int
    started: int  # clock ticks after boot: a pid and its start name one process
    seconds: float  # its CPU time and that of the children it has reaped


def _processes() -> dict[int, _Process]:
    """Each live process: its parent, its start, the CPU seconds of it and its reaped children."""
    found: dict[int, _Process] = {}
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
        # after the name: state, ppid, ..., utime (12), stime, cutime, cstime (15), ..., start (20)
        ticks = sum(int(value) for value in fields[11:15])
        found[int(entry)] = _Process(int(fields[1]), int(fields[19]), ticks / _TICK)
    return found


def _ignores_children(pid: int) -> bool:
    """Whether ``pid`` ignores SIGCHLD, so that its children vanish without adding to its time."""
    try:
        with open(f"{_PROC}/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) >> (signal.SIGCHLD - 1) & 1)
    except (OSError, ValueError):
        pass
    return False


@dataclass
class ProcessTree:
    """The CPU seconds used by a process and every process below it, looked at again and again.

    A process's time goes to its parent's when the parent reaps it, so the live
    tree holds the time of every process that ended, except the children of a
    parent that ignores SIGCHLD (PySpark's daemon, which forks the Python
    workers): the kernel discards theirs. Each look remembers those children's
    time, so that it is still counted once they are gone, up to the time they
    spent after the last look. Without ``/proc`` only this process and its
    reaped children are counted.
    """

    root: int = field(default_factory=os.getpid)
    _unreaped: dict[tuple[int, int], float] = field(default_factory=dict)

    def seconds(self) -> float:
        """The tree's CPU seconds so far."""
        processes = _processes()
        if self.root not in processes:
            if self.root != os.getpid():
                return sum(self._unreaped.values())
            own = resource.getrusage(resource.RUSAGE_SELF)
            reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
            return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
        children: dict[int, list[int]] = {}
        for child, process in processes.items():
            children.setdefault(process.parent, []).append(child)
        live, todo = 0.0, [self.root]
        alive: set[tuple[int, int]] = set()
        while todo:
            current = todo.pop()
            live += processes[current].seconds
            below = children.get(current, [])
            if below and _ignores_children(current):
                for child in below:
                    key = (child, processes[child].started)
                    self._unreaped[key] = processes[child].seconds
                    alive.add(key)
            todo.extend(below)
        return live + sum(t for key, t in self._unreaped.items() if key not in alive)

    def vanished_seconds(self, excluding: Collection[int] = ()) -> float:
        """The last seen time of the processes whose parent ignores SIGCHLD.

        Processes in ``excluding`` (ids of processes whose time was received
        after all) are left out.
        """
        return sum(t for (pid, _), t in self._unreaped.items() if pid not in excluding)


def tree_cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds used so far by process ``pid`` (default: this one) and all live below it."""
    return ProcessTree(os.getpid() if pid is None else pid).seconds()


@dataclass
class StageClock:
    """Times the stages of a job as they run; a stage run twice adds up.

    With ``every`` set, a thread looks at the process tree every ``every``
    seconds while a stage runs, so that the time of workers that come and go
    within it is counted (Spark's; a pool's workers are reaped by this process).
    """

    every: float | None = None
    stages: dict[str, tuple[float, float]] = field(default_factory=dict)
    _tree: ProcessTree = field(default_factory=ProcessTree)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as stage ``name``."""
        done = threading.Event()

        def look() -> None:
            while not done.wait(self.every or 0):
                self._tree.seconds()

        watcher = threading.Thread(target=look, daemon=True) if self.every else None
        start, start_cpu = time.perf_counter(), self._tree.seconds()
        if watcher is not None:
            watcher.start()
        try:
            yield
        finally:
            done.set()
            if watcher is not None:
                watcher.join()
            wall, cpu = self.stages.get(name, (0.0, 0.0))
            self.stages[name] = (
                wall + time.perf_counter() - start,
                cpu + self._tree.seconds() - start_cpu,
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
