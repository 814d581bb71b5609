"""Small measuring tools for the benchmarks: timers, percentiles, peak memory of a process tree."""
from __future__ import annotations

import os
import statistics
import threading
import time
from dataclasses import dataclass, field


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; nan for no values."""
    if not values:
        return float("nan")
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 50), "p99": percentile(values, 99),
            "mean": statistics.fmean(values) if values else float("nan")}


def repeat(fn, *, runs: int = 20, budget: float = 10.0, warmup: int = 1, min_runs: int = 1) -> list[float]:
    """Call ``fn`` up to ``runs`` times or until ``budget`` seconds are spent (at least
    ``min_runs``); return each call's seconds."""
    for _ in range(warmup):
        fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < runs and (len(times) < min_runs or time.perf_counter() - start < budget):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


@dataclass
class PeakMemory:
    """Sample the resident memory of this process and its children; keep the peaks (MB), and
    the last CPU time (user + system s) seen of each child process (``children_cpu_s``: the
    CPU of every process the children started too, workers that exit early included)."""
    interval: float = 0.05
    peak_tree_mb: float = 0.0
    peak_self_mb: float = 0.0
    samples: int = 0
    child_cpu: dict = field(default_factory=dict, repr=False)  # (pid, start time) -> CPU s
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def __enter__(self) -> "PeakMemory":
        import psutil

        self._me = psutil.Process(os.getpid())
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        import psutil

        try:
            own = self._me.memory_info().rss
            total = own
            for child in self._me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                    times = child.cpu_times()
                    self.child_cpu[(child.pid, child.create_time())] = times.user + times.system
                except psutil.Error:
                    pass
        except psutil.Error:
            return
        self.samples += 1
        self.peak_self_mb = max(self.peak_self_mb, own / 2**20)
        self.peak_tree_mb = max(self.peak_tree_mb, total / 2**20)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    @property
    def children_cpu_s(self) -> float:
        return sum(self.child_cpu.values())

    def __exit__(self, *exc) -> None:
        self._sample()
        self._stop.set()
        if self._thread:
            self._thread.join()


def cpu_seconds() -> float:
    """User + system CPU of this process and its (waited-for) children so far."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def loadavg() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")
