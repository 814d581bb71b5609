"""Run store calls off the event loop, under a time limit, a memory limit and slots.

Reads of an embedded store (client SPARQL, named queries, lookups, pages, exports) run in
worker processes (:mod:`api.workers`): past its time limit a query's worker is killed and
replaced, so the query really stops and its slot is free again at once; a query that asks for
more memory than ``memory_mb`` fails alone (503) and the server goes on. Exports run in a
process of their own each (``max_exports`` at once, ``export_timeout``), which gives its
memory back when it ends. Writes (SPARQL UPDATE, POST /reports) run in threads of this
process, under the store's write lock; after each one the store publishes a snapshot that
the workers read (:mod:`kg.snapshots`), so a reader sees a report absent or whole.

A remote store (SPARQL endpoint) has no workers: its calls run in daemon threads (kept in a
pool, :class:`WorkerPool`) and the remote server runs the query; past the limit the caller
gets 504 and the answer is thrown away.

Client-written SPARQL (``user=True``: the /sparql endpoint) has ``max_user_workers`` slots of
its own (and its own worker processes, at a lower CPU priority); the lookups, pages and named
queries have ``max_workers``, which client queries never take. A call that cannot get a slot
within its time limit gets HTTP 503.

Threads get a large stack (``QUERY_STACK``, address space only: pages are committed when
used). The engine parses and evaluates recursively; on the default 8 MB stack a query of a
few kilobytes (five thousand nested braces, a long chain of ``+`` or UNION ...) overflows it.
"""
from __future__ import annotations

import asyncio
import queue
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from fastapi import HTTPException

from api.workers import ProcessPool, WorkerConfig, WorkerLost, call_method
from kg.store import (EmbeddedStore, QuerySyntaxError, QueryTimeout, RemoteStore, Store, StoreError,
                      WorkerStore)


QUERY_STACK = 256 * 1024 * 1024
_STACK_LOCK = threading.Lock()


def start_worker(target: Callable[[], None]) -> None:
    """Start ``target`` in a daemon thread with a QUERY_STACK stack (the default stack if the
    system refuses one that large)."""
    with _STACK_LOCK:  # threading.stack_size is process-wide: set it only around this start
        previous = threading.stack_size()
        try:
            threading.stack_size(QUERY_STACK)
            big = True
        except (ValueError, RuntimeError):
            big = False
        try:
            threading.Thread(target=target, name="policy-kg-query", daemon=True).start()
            return
        except RuntimeError:  # no room for a stack that large
            if not big:
                raise
        finally:
            threading.stack_size(previous)
    threading.Thread(target=target, name="policy-kg-query", daemon=True).start()


class WorkerPool:
    """Long-lived daemon threads with QUERY_STACK stacks that run jobs handed to ``submit``.

    Starting a thread (with its big stack) for each query cost more than a one-report lookup;
    these threads stay. A new one starts only when every thread is busy, so a job never waits
    for another to finish (the runner's slots bound how many run at once).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._busy = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._busy += 1
            if self._busy > self._threads:
                try:
                    start_worker(self._serve)
                except RuntimeError:
                    self._busy -= 1
                    raise
                self._threads += 1
        self._jobs.put(job)

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except BaseException:  # noqa: BLE001 - a job reports its own errors; the thread stays
                pass
            finally:
                with self._lock:
                    self._busy -= 1

    @property
    def threads(self) -> int:
        return self._threads


WORKERS = WorkerPool()


@dataclass
class Runner:
    """The store plus the limits every query runs under."""

    store: Store
    timeout: float = 30.0
    row_limit: int = 10000
    max_workers: int = 8
    max_user_workers: int | None = None  # default: half of max_workers (at least 1)
    memory_mb: int = 2048                # what one query (or export) may allocate; 0: no limit
    export_timeout: float = 600.0
    max_exports: int = 2
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)
    _user_slots: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.max_workers)
        if self.max_user_workers is None:
            self.max_user_workers = max(1, self.max_workers // 2)
        self._user_slots = threading.BoundedSemaphore(self.max_user_workers)
        self._export_slots = threading.BoundedSemaphore(max(1, self.max_exports))
        self.pool: ProcessPool | None = None
        self.user_pool: ProcessPool | None = None
        self.export_pool: ProcessPool | None = None
        store = self.store
        if isinstance(store, EmbeddedStore):
            if isinstance(store, WorkerStore):  # a reader of snapshots: the workers read them too
                snapshots = store.reads_snapshots
            elif not store.read_only:
                store.publish_snapshots()  # and after every write from now on
                snapshots = True
            else:  # read-only, holding the store's shared lock: nobody writes the folder
                snapshots = False
            config = WorkerConfig(store.location, snapshots=snapshots, memory_mb=self.memory_mb)
            self.pool = ProcessPool(config, keep=self.max_workers)
            # Client SPARQL runs at a lower CPU priority, so that runaways the clients send
            # do not slow the lookups, pages and named queries down while they last.
            self.user_pool = ProcessPool(replace(config, nice=10), keep=self.max_user_workers)
            self.export_pool = ProcessPool(replace(config, nice=5), keep=0)  # a fresh process per export
            self.pool.prestart()
            self.user_pool.prestart()

    def close(self) -> None:
        for pool in (self.pool, self.user_pool, self.export_pool):
            if pool is not None:
                pool.close()

    def _busy(self, limit: float) -> HTTPException:
        return HTTPException(503, f"the server is busy: no query slot free within {limit:g} s; "
                                  "try again later")

    async def _take_slots(self, limit: float, user: bool) -> None:
        if not await self._acquire(self._user_slots if user else self._slots, limit):
            raise self._busy(limit)

    def _give_slots(self, user: bool) -> None:
        (self._user_slots if user else self._slots).release()

    async def call(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None,
                   user: bool = False, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a thread of this process (writes, and every call to a
        remote store); store errors become HTTP errors. ``user``: client-written SPARQL, which
        also takes one of the user slots."""
        limit = self.timeout if timeout is None else timeout
        start = time.monotonic()
        await self._take_slots(limit, user)
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def deliver(ok: bool, value: Any) -> None:
            if not future.done():
                (future.set_result if ok else future.set_exception)(value)

        def work() -> None:
            try:
                value, ok = fn(*args, **kwargs), True
            except BaseException as err:  # noqa: BLE001 - handed to the awaiting request
                value, ok = err, False
            finally:
                self._give_slots(user)
            try:
                loop.call_soon_threadsafe(deliver, ok, value)
            except RuntimeError:  # the server stopped while this query ran on
                pass

        try:
            WORKERS.submit(work)
        except RuntimeError:
            self._give_slots(user)
            raise self._busy(limit) from None
        remaining = max(0.01, limit - (time.monotonic() - start))
        with self._http_errors(limit):
            return await asyncio.wait_for(future, remaining)

    async def read(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None,
                   user: bool = False, **kwargs: Any) -> Any:
        """``fn(store, *args, **kwargs)``, a read: in a worker process that is killed at the
        time limit (embedded store), else as :meth:`call`. ``fn`` is a module-level function
        (it is sent to the worker by name)."""
        if self.pool is None:
            return await self.call(fn, self.store, *args, timeout=timeout, user=user, **kwargs)
        limit = self.timeout if timeout is None else timeout
        start = time.monotonic()
        await self._take_slots(limit, user)
        try:
            with self._http_errors(limit):
                pool = self.user_pool if user else self.pool
                return await pool.run(fn, args, kwargs, timeout=max(0.01, limit - (time.monotonic() - start)))
        finally:
            self._give_slots(user)

    async def export(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(store, *args, **kwargs)`` for an export: a process of its own (embedded store),
        at most ``max_exports`` at once (503 past ``timeout`` s of waiting), killed after
        ``export_timeout`` s (504)."""
        if self.export_pool is None:
            return await self.call(fn, self.store, *args, timeout=self.export_timeout, **kwargs)
        if not await self._acquire(self._export_slots, self.timeout):
            raise HTTPException(503, f"the server is busy: {self.max_exports} exports are running; "
                                     "try again later")
        try:
            with self._http_errors(self.export_timeout):
                return await self.export_pool.run(fn, args, kwargs, timeout=self.export_timeout)
        finally:
            self._export_slots.release()

    @contextmanager
    def _http_errors(self, limit: float):
        """Store errors as HTTP errors: 400 syntax, 504 past the limit, 503 a query stopped for
        its memory, 500/502 the store failed."""
        try:
            yield
        except asyncio.TimeoutError:
            raise timeout_error(limit) from None
        except QuerySyntaxError as err:
            raise HTTPException(400, str(err)) from err
        except QueryTimeout:
            raise timeout_error(limit) from None
        except WorkerLost as err:
            raise HTTPException(503, f"{err}. Narrow the query down and try again.") from err
        except StoreError as err:
            status = 502 if isinstance(self.store, RemoteStore) else 500
            raise HTTPException(status, f"store error: {err}") from err

    async def _acquire(self, slots: threading.BoundedSemaphore, limit: float) -> bool:
        """Wait up to ``limit`` s for a slot (given back if the request goes away)."""
        if slots.acquire(blocking=False):
            return True
        waiting = asyncio.ensure_future(asyncio.to_thread(slots.acquire, True, limit))
        try:
            return await asyncio.shield(waiting)
        except asyncio.CancelledError:
            waiting.add_done_callback(lambda done: done.result() and slots.release())
            raise

    async def query(self, query: str, accept: str, default_graphs=None, named_graphs=None, *,
                    row_limit: int | None = None, user: bool = False):
        """``Store.raw_query`` under the time limit and the row cap (``user``: see call)."""
        limit = self.row_limit if row_limit is None else row_limit
        return await self.read(call_method, "raw_query", query, accept,
                               list(default_graphs) if default_graphs is not None else None,
                               list(named_graphs) if named_graphs is not None else None,
                               row_limit=limit, timeout=self.timeout, user=user)

    async def select(self, query: str, bindings=None) -> dict:
        return await self.read(call_method, "select", query, bindings)

    async def graphs(self) -> list[str]:
        return await self.read(call_method, "graphs")


def timeout_error(limit: float) -> HTTPException:
    return HTTPException(504, f"query timed out: it ran longer than the {limit:g} s limit. "
                              "Narrow it down (add LIMIT, more specific patterns) and try again.")
