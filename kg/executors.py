"""Where extraction runs: this process, a pool of local processes, or a Dask cluster.

    with open_executor("dask", jobs=2, scheduler="tcp://10.0.0.5:8786") as executor:
        ingest_paths_parallel(paths, store, executor=executor)

An executor turns chunks of tasks (files or :class:`kg.read.Report` objects) into lists of
:class:`kg.parallel.ReportResult`, chunk by chunk and in order, with a bounded number of chunks
in flight; :func:`kg.parallel._run` is the one writer for all of them (the same claims, batches,
progress and one-line errors whichever runs the extraction).

* ``SerialExecutor``: in the calling process (``--jobs 1``);
* ``PoolExecutor``: ``jobs`` local processes (``--jobs N``, ``--executor local``);
* ``DaskExecutor``: the workers of a ``dask.distributed`` cluster (``--executor dask``), at
  ``scheduler`` or a :class:`distributed.LocalCluster` of ``jobs`` single-threaded worker
  processes on 127.0.0.1 when no scheduler is given. Files are read here and shipped as
  reports (text + metadata), so workers need no shared file system; the read-only settings
  (authority list, SHACL switch) are scattered once to every worker. A task whose worker dies
  is rerun by the scheduler; this process collects each chunk's result once and is the only
  writer, so no report is lost or stored twice. A chunk that keeps killing its workers fails
  its reports with a one-line reason and the batch goes on.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from contextlib import contextmanager
from typing import Iterable, Iterator, Protocol

from kg.parallel import IN_FLIGHT, Report, ReportResult, Settings, _init, _warm, _work, read_task, work_with

EXECUTORS = ("local", "dask")


class ExecutorError(RuntimeError):
    """An executor could not start (no dask installed, no scheduler at the address)."""


class Executor(Protocol):
    def results(self, chunks: Iterable[list], settings: Settings) -> Iterator[list[ReportResult]]:
        """The results of each chunk of tasks, in the order of the chunks."""


class SerialExecutor:
    """Extraction in the calling process."""

    def results(self, chunks: Iterable[list], settings: Settings) -> Iterator[list[ReportResult]]:
        for batch in chunks:
            yield work_with(settings, batch)


class PoolExecutor:
    """Extraction in ``jobs`` local worker processes (multiprocessing)."""

    def __init__(self, jobs: int):
        self.jobs = jobs

    def results(self, chunks: Iterable[list], settings: Settings) -> Iterator[list[ReportResult]]:
        context = multiprocessing.get_context(os.environ.get("POLICY_KG_MP_START") or None)
        if context.get_start_method() == "fork":
            _warm(settings.shacl)  # forked workers inherit the pipeline and the parsed shapes
        with context.Pool(self.jobs, initializer=_init, initargs=(settings,)) as pool:
            flying: deque = deque()
            for batch in chunks:
                flying.append(pool.apply_async(_work, (batch,)))
                while len(flying) > self.jobs * (1 + IN_FLIGHT):
                    yield flying.popleft().get()
            while flying:
                yield flying.popleft().get()


def local_executor(jobs: int) -> Executor:
    return SerialExecutor() if jobs <= 1 else PoolExecutor(jobs)


class DaskExecutor:
    """Extraction on the workers of a Dask cluster (see the module doc)."""

    def __init__(self, client, cluster=None):
        self.client = client
        self.cluster = cluster

    @classmethod
    def connect(cls, scheduler: str | None = None, workers: int = 2) -> "DaskExecutor":
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:
            raise ExecutorError("--executor dask needs Dask: pip install 'policy-kg[dask]'") from err
        if scheduler:
            timeout = float(os.environ.get("POLICY_KG_DASK_CONNECT_TIMEOUT") or 30)
            try:
                return cls(Client(scheduler, timeout=timeout))
            except (OSError, TimeoutError) as err:
                raise ExecutorError(f"no Dask scheduler answers at {scheduler} ({err})") from err
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        return cls(Client(cluster), cluster)

    @property
    def slots(self) -> int:
        """Worker threads in the cluster now (at least one)."""
        return max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def warm(self, shacl: bool = True) -> None:
        """Build the pipeline (and parse the shapes) on every worker now, once, as a forked local
        pool inherits them: the first reports then do not wait for it. A worker that joins
        later (or replaces a lost one) builds them with its first task."""
        self.client.run(_warm, shacl)

    def results(self, chunks: Iterable[list], settings: Settings) -> Iterator[list[ReportResult]]:
        self.warm(settings.shacl)
        shared = self.client.scatter(settings, broadcast=True, hash=False)
        flying: deque = deque()
        slots = self.slots
        for number, batch in enumerate(chunks):
            if number % 64 == 63:
                slots = self.slots  # workers may join or leave during a long run
            flying.append(self._submit(batch, shared))
            while len(flying) > slots * (1 + IN_FLIGHT):
                yield self._collect(*flying.popleft())
        while flying:
            yield self._collect(*flying.popleft())

    def _submit(self, batch: list, shared):
        """Read the chunk's files here; send the reports that could be read as one task."""
        read = [read_task(task) for task in batch]
        reports = [r for r in read if isinstance(r, Report)]
        sources = [str(t[0]) if not isinstance(t, Report) else t.path or t.id for t in batch]
        tasks = [(r, s) for r, s in zip(read, sources) if isinstance(r, Report)]
        future = self.client.submit(_extract_sourced, shared, tasks, pure=False) if reports else None
        return read, sources, future

    def _collect(self, read: list, sources: list[str], future) -> list[ReportResult]:
        if future is None:
            return list(read)
        try:
            extracted = iter(future.result())
        except Exception as err:  # noqa: BLE001 - a lost chunk fails its reports, the batch goes on
            reason = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}".rstrip(": ")
            extracted = iter(ReportResult(source=s, report_id=r.id, row=r.meta.manifest_row,
                                          error=f"{s}: could not be processed on the Dask cluster ({reason})")
                             for r, s in zip(read, sources) if isinstance(r, Report))
        finally:
            future.release()
        return [next(extracted) if isinstance(r, Report) else r for r in read]

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _extract_sourced(settings: Settings, tasks: list[tuple[Report, str]]) -> list[ReportResult]:
    """The Dask task: extract each (report, source) pair with the scattered settings."""
    from kg.parallel import extract_report

    return [extract_report(report, settings, source=source) for report, source in tasks]


@contextmanager
def open_executor(kind: str = "local", jobs: int = 1, scheduler: str | None = None) -> Iterator[Executor]:
    """The executor ``kind`` (local or dask) for ``jobs`` workers, closed on exit."""
    if kind not in EXECUTORS:
        raise ExecutorError(f"unknown executor {kind!r} (local or dask)")
    if kind == "local":
        if scheduler:
            raise ExecutorError("--scheduler goes with --executor dask")
        yield local_executor(jobs)
        return
    executor = DaskExecutor.connect(scheduler, jobs)
    try:
        yield executor
    finally:
        executor.close()
