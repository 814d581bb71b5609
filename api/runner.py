"""Run blocking store calls off the event loop, under a time limit.

Every query runs in a daemon worker thread (kept in a pool, see :class:`WorkerPool`) so the
server keeps answering other requests. Past the time limit the caller gets HTTP 504 at once. The embedded engine cannot
be interrupted (Oxigraph has no cancellation: oxigraph/oxigraph#1336): a query that streams
rows stops at its next row (``Store.raw_query`` checks the deadline), but one that is busy
before its first row (a big aggregate or sort) runs on in its thread until it ends and its
answer is thrown away. At most ``max_workers`` calls run at once, and client-written SPARQL
(``user=True``: the /sparql endpoint) at most ``max_user_workers`` of them, so that runaway
client queries still running on cannot take the slots the lookups, pages and named queries
need. A call that cannot get a worker within its time limit gets HTTP 503.

Worker threads get a large stack (``QUERY_STACK``, address space only: pages are committed
when used). The engine parses and evaluates recursively; on the default 8 MB stack a query of
a few kilobytes (five thousand nested braces, a long chain of ``+`` or UNION ...) overflows
it and kills the whole process.
"""
from __future__ import annotations

import asyncio
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from fastapi import HTTPException

from kg.store import QuerySyntaxError, QueryTimeout, RemoteStore, Store, StoreError


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
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)
    _user_slots: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.max_workers)
        if self.max_user_workers is None:
            self.max_user_workers = max(1, self.max_workers // 2)
        self._user_slots = threading.BoundedSemaphore(self.max_user_workers)

    async def call(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None,
                   user: bool = False, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a worker thread; store errors become HTTP errors.
        ``user``: client-written SPARQL, which also takes one of the user slots."""
        limit = self.timeout if timeout is None else timeout
        start = time.monotonic()
        busy = HTTPException(503, f"the server is busy: no query slot free within {limit:g} s; "
                                  "try again later")
        if user and not await self._acquire(self._user_slots, limit):
            raise busy
        if not await self._acquire(self._slots, max(0.01, limit - (time.monotonic() - start))):
            if user:
                self._user_slots.release()
            raise busy
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
                self._slots.release()
                if user:
                    self._user_slots.release()
            try:
                loop.call_soon_threadsafe(deliver, ok, value)
            except RuntimeError:  # the server stopped while this query ran on
                pass

        try:
            WORKERS.submit(work)
        except RuntimeError:
            self._slots.release()
            if user:
                self._user_slots.release()
            raise busy from None
        remaining = max(0.01, limit - (time.monotonic() - start))
        try:
            return await asyncio.wait_for(future, remaining)
        except asyncio.TimeoutError:
            raise timeout_error(limit) from None
        except QuerySyntaxError as err:
            raise HTTPException(400, str(err)) from err
        except QueryTimeout:
            raise timeout_error(limit) from None
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
        return await self.call(self.store.raw_query, query, accept, default_graphs, named_graphs,
                               row_limit=self.row_limit if row_limit is None else row_limit,
                               timeout=self.timeout, user=user)

    async def select(self, query: str, bindings=None) -> dict:
        return await self.call(self.store.select, query, bindings)


def timeout_error(limit: float) -> HTTPException:
    return HTTPException(504, f"query timed out: it ran longer than the {limit:g} s limit. "
                              "Narrow it down (add LIMIT, more specific patterns) and try again.")
