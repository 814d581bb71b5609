"""Run blocking store calls off the event loop, under a time limit.

Every query runs in its own daemon worker thread so the server keeps answering other
requests. Past the time limit the caller gets HTTP 504 at once. The embedded engine cannot
be interrupted: a query that streams rows stops at its next row (``Store.raw_query`` checks
the deadline), but one that is busy before its first row (a big aggregate or sort) runs on
in its thread until it ends and its answer is thrown away. At most ``max_workers`` calls run
at once; a call that cannot get a worker within its time limit gets HTTP 503.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from fastapi import HTTPException

from kg.store import QuerySyntaxError, QueryTimeout, RemoteStore, Store, StoreError


@dataclass
class Runner:
    """The store plus the limits every query runs under."""

    store: Store
    timeout: float = 30.0
    row_limit: int = 10000
    max_workers: int = 8
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.max_workers)

    async def call(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None,
                   **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a worker thread; store errors become HTTP errors."""
        limit = self.timeout if timeout is None else timeout
        start = time.monotonic()
        if not await self._acquire(limit):
            raise HTTPException(503, f"the server is busy: no query slot free within {limit:g} s; "
                                     "try again later")
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
            try:
                loop.call_soon_threadsafe(deliver, ok, value)
            except RuntimeError:  # the server stopped while this query ran on
                pass

        threading.Thread(target=work, name="policy-kg-query", daemon=True).start()
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

    async def _acquire(self, limit: float) -> bool:
        """Wait up to ``limit`` s for a worker slot (given back if the request goes away)."""
        waiting = asyncio.ensure_future(asyncio.to_thread(self._slots.acquire, True, limit))
        try:
            return await asyncio.shield(waiting)
        except asyncio.CancelledError:
            waiting.add_done_callback(lambda done: done.result() and self._slots.release())
            raise

    async def query(self, query: str, accept: str, default_graphs=None, named_graphs=None, *,
                    row_limit: int | None = None):
        """``Store.raw_query`` under the time limit and the row cap."""
        return await self.call(self.store.raw_query, query, accept, default_graphs, named_graphs,
                               row_limit=self.row_limit if row_limit is None else row_limit,
                               timeout=self.timeout)

    async def select(self, query: str, bindings=None) -> dict:
        return await self.call(self.store.select, query, bindings)


def timeout_error(limit: float) -> HTTPException:
    return HTTPException(504, f"query timed out: it ran longer than the {limit:g} s limit. "
                              "Narrow it down (add LIMIT, more specific patterns) and try again.")
