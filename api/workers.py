"""Query worker processes: where the API's reads run, so that no query can stop the server.

Oxigraph cannot cancel a query it is evaluating, and a 1 KB query can ask it for gigabytes
(``BIND(CONCAT(?v, ?v))`` thirty times over). So every read of an embedded store (client
SPARQL, named queries, lookups, pages, exports) runs in a worker process:

* past its deadline the worker is killed (``SIGKILL``) and replaced; the query is gone with it,
  and the slot it held is free again at once;
* each worker has an address-space limit (``RLIMIT_AS``: ``memory_mb`` above what it uses when
  idle): a query that asks for more fails inside the worker (the engine aborts it, or the
  worker), the client gets 503 and the worker is replaced;
* a worker that dies for any other reason (a stack overflow) costs only its own query.

Workers open the store read-only (:class:`kg.store.WorkerStore`): the newest snapshot the
writer published, or the folder itself while the server holds the store's shared lock.
Workers are forked from a ``forkserver`` (a small process started once, with the store code
already imported), so a replacement is ready in milliseconds. Each worker runs one job at a
time; :class:`ProcessPool` keeps the idle ones.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import select
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable

from kg.store import StoreError

JOB_STACK = 256 * 1024 * 1024  # the engine parses and evaluates recursively: see api.runner
OPEN_ROOM = 512 * 1024 * 1024  # address space that opening a newer snapshot may map
_CONTEXT = None
_CONTEXT_LOCK = threading.Lock()


class WorkerLost(StoreError):
    """The worker process running a job died (out of memory, a stack overflow, killed)."""

    def __init__(self, message: str, exitcode: int | None = None):
        super().__init__(message)
        self.exitcode = exitcode


class NotTaken(WorkerLost):
    """The worker had ended before the job reached it (killed while idle, before its end was
    noticed): the job did not run, and another worker may run it."""


def context():
    """The multiprocessing context workers start from: a forkserver that has imported the
    store code (so each worker starts with it and does not pay for the imports)."""
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["kg.store", "kg.snapshots", "api.workers", "kg.export"])
            _CONTEXT = ctx
        return _CONTEXT


def call_method(store, name: str, *args: Any, **kwargs: Any) -> Any:
    """A job that calls ``store.<name>(*args, **kwargs)`` (jobs take the worker's store first)."""
    return getattr(store, name)(*args, **kwargs)


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux), or 0 if it cannot be told."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(memory_bytes: int) -> None:
    import resource

    if memory_bytes <= 0:
        return
    # What the worker maps with its store open (its job thread's stack included), plus room
    # for opening a newer snapshot, plus the job's allowance.
    limit = _address_space() + OPEN_ROOM + memory_bytes
    try:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _worker_main(conn, location: str, snapshots: bool, memory_bytes: int, nice: int = 0) -> None:
    """A worker's life: open the store read-only, then run the jobs that come down ``conn``
    one at a time and send back ``("ok", value)`` or ``("error", exception)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us
    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass
    state: dict[str, Any] = {}

    def serve() -> None:
        from kg.store import WorkerStore

        while True:
            try:
                fn, args, kwargs = conn.recv()
            except (EOFError, OSError):
                return  # the server went away
            try:
                store = state.get("store")
                if store is None:
                    store = state["store"] = WorkerStore(location, snapshots=snapshots)
                    store.refresh()
                    # The limit is set once the store is open: what opening it maps (the
                    # engine's threads and caches) is not the query's.
                    _limit_memory(memory_bytes)
                store.refresh()
                reply = ("ok", fn(store, *args, **kwargs))
            except MemoryError:
                reply = ("error", WorkerLost(f"the query needed more than the {memory_bytes // 2**20} MB "
                                             "of memory a query may use"))
            except BaseException as err:  # noqa: BLE001 - handed back to the request
                reply = ("error", err)
            try:
                data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as err:  # noqa: BLE001 - an exception that does not pickle
                data = pickle.dumps(("error", StoreError(f"{type(reply[1]).__name__}: {reply[1]}"
                                                         if reply[0] == "error" else f"unpicklable answer: {err}")))
            try:
                conn.send_bytes(data)
            except (OSError, ValueError):
                return
            del reply, data

    previous = threading.stack_size()
    try:
        threading.stack_size(JOB_STACK)
    except (ValueError, RuntimeError):
        pass
    thread = threading.Thread(target=serve, name="policy-kg-job", daemon=True)
    thread.start()
    threading.stack_size(previous)
    thread.join()


@dataclass
class WorkerConfig:
    location: str          # the embedded store's folder
    snapshots: bool        # read published snapshots (True) or the folder itself
    memory_mb: int = 2048  # what one job may allocate (0: no limit)
    nice: int = 0          # added to the workers' nice value (client SPARQL: yield the CPU to lookups)


class Worker:
    """One worker process and the pipe to it."""

    def __init__(self, config: WorkerConfig):
        ctx = context()
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, name="policy-kg-worker", daemon=True,
                                   args=(child, config.location, config.snapshots,
                                         config.memory_mb * 2**20, config.nice))
        self.process.start()
        child.close()
        self.memory_mb = config.memory_mb
        # The process's sentinel becomes readable when it ends: polled with one system call
        # (Process.is_alive builds a selector each time, twice a request).
        self._ended = select.poll()
        self._ended.register(self.process.sentinel, select.POLLIN)

    async def run(self, fn: Callable[..., Any], args: tuple, kwargs: dict, timeout: float) -> Any:
        """The job's value; its exception; WorkerLost if the worker died on it;
        ``asyncio.TimeoutError`` past ``timeout`` (the caller then kills the worker)."""
        loop = asyncio.get_running_loop()
        fd = self.conn.fileno()
        try:  # plain pickle: Connection.send copies multiprocessing's reducer table each time
            self.conn.send_bytes(pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, ValueError):
            raise NotTaken("the query's worker process had ended before it took the query") from None
        ready: asyncio.Future = loop.create_future()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, timeout)
        finally:
            loop.remove_reader(fd)
            # uvloop's add_reader leaves the descriptor non-blocking: the answer may come in
            # several pieces (read it whole), and the next job's send may fill the pipe
            os.set_blocking(fd, True)
        try:
            status, value = pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError):
            raise self.lost() from None
        if status == "error":
            raise value
        return value

    def lost(self) -> WorkerLost:
        self.process.join(5)
        code = self.process.exitcode
        if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, -signal.SIGKILL, 1, 134, 139):
            return WorkerLost("the query was stopped: it needed more than the "
                              f"{self.memory_mb} MB of memory a query may use, or nested too deep "
                              "for the engine", code)
        return WorkerLost(f"the query's worker process ended unexpectedly (exit code {code})", code)

    def alive(self) -> bool:
        return not self._ended.poll(0) or self.process.is_alive()

    def kill(self) -> None:
        """Stop the worker at once (its job with it) and reap it in the background."""
        try:
            self.process.kill()
        except (OSError, ValueError, AttributeError):
            pass
        try:
            self.conn.close()
        except OSError:
            pass
        threading.Thread(target=self.process.join, daemon=True).start()


class ProcessPool:
    """Idle workers kept for the next job; a new one starts when none is idle. The caller
    bounds how many jobs run at once (``api.runner.Runner``'s slots)."""

    def __init__(self, config: WorkerConfig, keep: int = 8):
        self.config = config
        self.keep = keep
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        self._all: set[Worker] = set()
        self.started = 0   # workers started, for tests and stats
        self.killed = 0    # workers killed at a deadline or lost

    def prestart(self) -> None:
        """Start one worker in the background (the first query then does not wait for the
        forkserver to start)."""
        def start() -> None:
            try:
                self._release(self._start())
            except Exception:  # noqa: BLE001 - the first query will start one and say why not
                pass
        threading.Thread(target=start, name="policy-kg-prestart", daemon=True).start()

    def _start(self) -> Worker:
        worker = Worker(self.config)
        with self._lock:
            self._all.add(worker)
            self.started += 1
        return worker

    async def _take(self) -> Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                self._all.discard(worker)
        return await asyncio.to_thread(self._start)

    def _release(self, worker: Worker) -> None:
        with self._lock:
            if len(self._idle) < self.keep and worker.alive():
                self._idle.append(worker)
                return
        self._drop(worker)

    def _drop(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    async def run(self, fn: Callable[..., Any], args: tuple = (), kwargs: dict | None = None, *,
                  timeout: float) -> Any:
        """``fn(store, *args, **kwargs)`` in a worker; past ``timeout`` the worker is killed
        and ``asyncio.TimeoutError`` raised."""
        for attempt in range(3):
            worker = await self._take()
            try:
                value = await worker.run(fn, args, kwargs or {}, timeout)
            except NotTaken:  # it had ended unnoticed and did not run the job: another one does
                self.killed += 1
                self._drop(worker)
                if attempt == 2:
                    raise
                continue
            except (asyncio.TimeoutError, WorkerLost):
                self.killed += 1
                self._drop(worker)
                raise
            except asyncio.CancelledError:  # the request went away: its job may run on, so stop it
                self._drop(worker)
                raise
            except BaseException:
                self._release(worker)
                raise
            self._release(worker)
            return value
        raise AssertionError("unreachable")

    def pids(self) -> list[int]:
        """The process ids of the pool's live workers."""
        with self._lock:
            return [worker.process.pid for worker in self._all if worker.alive()]

    def close(self) -> None:
        with self._lock:
            workers, self._idle, self._all = list(self._all), [], set()
        for worker in workers:
            worker.kill()
