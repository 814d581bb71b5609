"""Published snapshots of an embedded store, for readers in other processes.

RocksDB (under Oxigraph) allows one writer per folder, and opening a folder read-only while
another process writes it is undefined behaviour. A writer therefore *publishes* what it has
committed: a RocksDB checkpoint (``pyoxigraph.Store.backup``: hard links to the immutable
table files, a few milliseconds) in ``<store>.snapshots/<generation>``, named by the file
``<store>.snapshots/CURRENT``. Nobody ever writes a snapshot, so any number of processes may
open it read-only while the writer goes on (the API's query worker processes do).

A reader holds a shared ``flock`` on ``<generation>.lease`` while it has that generation open;
the writer deletes a superseded generation only when it can take that lock exclusively, so a
snapshot disappears only once no process reads it (a reader killed with ``kill -9`` lets go of
its lock with its life). A reader sees whole transactions only: what was published.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

CURRENT = "CURRENT"
DIRTY = "DIRTY"  # the writer committed something it has not published yet


class SnapshotError(RuntimeError):
    """No snapshot can be opened (none published, or the folder is not readable)."""


def snapshots_dir(store_path: str | Path) -> Path:
    """Where the snapshots of the store at ``store_path`` live (beside it, same file system,
    so that the checkpoint's table files are hard links, not copies)."""
    path = Path(store_path)
    return path.with_name(path.name + ".snapshots")


def current_generation(store_path: str | Path) -> str | None:
    """The name of the newest published generation, or None."""
    try:
        name = (snapshots_dir(store_path) / CURRENT).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name or None


def publish(ox_store, store_path: str | Path) -> str:
    """Publish what ``ox_store`` (the read-write pyoxigraph store at ``store_path``) has
    committed as a new generation, name it in CURRENT, and delete the generations nobody
    reads any more. Returns the new generation's name. The caller serialises writes and
    publishing (``EmbeddedStore`` does, under its write lock)."""
    folder = snapshots_dir(store_path)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"g{time.time_ns():020d}"
    staging = folder / (name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    ox_store.backup(str(staging))
    os.replace(staging, folder / name)
    (folder / (name + ".lease")).touch()
    pointer = folder / (CURRENT + ".tmp")
    pointer.write_text(name, encoding="ascii")
    os.replace(pointer, folder / CURRENT)
    (folder / DIRTY).unlink(missing_ok=True)
    collect(store_path, keep=name)
    return name


def mark_dirty(store_path: str | Path) -> None:
    """Note that the store is about to hold what no snapshot has: a writer killed before it
    publishes leaves the note, and :func:`ensure_published` publishes for it later."""
    folder = snapshots_dir(store_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DIRTY).touch()


def is_dirty(store_path: str | Path) -> bool:
    return (snapshots_dir(store_path) / DIRTY).exists()


def ensure_published(store_path: str | Path, wait: float = 0.0, on_wait=None) -> str:
    """The newest generation, after publishing one if there is none or the store holds
    unpublished writes and no process is writing it now (then this opens the store read-write
    for a moment). While another process writes, its last snapshot is the answer; if it has
    published none yet, wait up to ``wait`` seconds for it (``StoreBusy`` past that)."""
    from kg.store import StoreBusy, StoreLock

    path = Path(store_path)
    name = current_generation(path)
    if name is not None and not is_dirty(path):
        return name
    try:
        lock = StoreLock(path, exclusive=True, wait=0.0 if name is not None else wait, on_wait=on_wait)
    except StoreBusy:
        if name is not None:
            return name  # a writer is at work: its last published snapshot
        raise
    try:
        import pyoxigraph

        from kg.journal import undo

        store = pyoxigraph.Store(str(path))
        try:
            undo(store, path)  # a batch its dead writer did not finish is not published
            return publish(store, path)
        finally:
            del store
    finally:
        lock.release()


def collect(store_path: str | Path, keep: str | None = None) -> list[str]:
    """Delete every generation other than ``keep`` (default: CURRENT) that no process holds a
    lease on; also staging folders a killed writer left behind. Returns what was deleted."""
    folder = snapshots_dir(store_path)
    keep = keep or current_generation(store_path)
    deleted: list[str] = []
    if not folder.is_dir():
        return deleted
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.endswith(".tmp") and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            continue
        if not entry.is_dir() or name == keep or not name.startswith("g"):
            continue
        lease = folder / (name + ".lease")
        fd = os.open(lease, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # someone still reads it
            shutil.rmtree(entry, ignore_errors=True)
            lease.unlink(missing_ok=True)
            deleted.append(name)
        finally:
            os.close(fd)
    return deleted


class SnapshotReader:
    """The newest published snapshot of a store, opened read-only, with a lease on it.

    ``store()`` gives the open pyoxigraph store, reopening the newest generation first when a
    newer one was published since (a stat per call; a small read when CURRENT changed).
    ``close()`` lets go.
    """

    def __init__(self, store_path: str | Path, attempts: int = 20):
        import pyoxigraph

        self._ox = pyoxigraph
        self.store_path = Path(store_path)
        self.generation: str | None = None
        self._store = None
        self._lease: int | None = None
        self._attempts = attempts
        self._pointer: int | None = None  # CURRENT as last read, kept open (see store)

    def store(self):
        # CURRENT is replaced (a new file) at each publication. The one read last is kept open,
        # so that its inode number cannot be given to another file: while CURRENT is still that
        # file, the generation it names is the one open (a stat, not a read, for every query).
        current = snapshots_dir(self.store_path) / CURRENT
        if self._pointer is not None and self._store is not None:
            try:
                if os.stat(current).st_ino == os.fstat(self._pointer).st_ino:
                    return self._store
            except OSError:
                pass
        self._forget_pointer()
        name, pointer = None, None
        try:
            pointer = os.open(current, os.O_RDONLY)
            name = os.read(pointer, 256).decode("ascii").strip() or None
        except (OSError, UnicodeDecodeError):
            pass
        if name is None:
            if pointer is not None:
                os.close(pointer)
            raise SnapshotError(f"{self.store_path}: no published snapshot of the store")
        if name != self.generation or self._store is None:
            try:
                self._open_newest()
            except BaseException:
                os.close(pointer)
                raise
        if self.generation == name:
            self._pointer = pointer
        else:  # a newer one was opened meanwhile: read CURRENT again next time
            os.close(pointer)
        return self._store

    def _forget_pointer(self) -> None:
        if self._pointer is not None:
            os.close(self._pointer)
            self._pointer = None

    def _open_newest(self) -> None:
        folder = snapshots_dir(self.store_path)
        for _ in range(self._attempts):
            name = current_generation(self.store_path)
            if name is None:
                break
            lease_path = folder / (name + ".lease")
            try:
                fd = os.open(lease_path, os.O_RDWR)  # never created here: gone means collected
            except FileNotFoundError:
                time.sleep(0.005)
                continue
            fcntl.flock(fd, fcntl.LOCK_SH)
            if not (folder / name).is_dir() or not lease_path.exists():
                os.close(fd)  # collected between reading CURRENT and the lease: read it again
                continue
            try:
                opened = self._ox.Store.read_only(str(folder / name))
            except OSError as err:
                os.close(fd)
                raise SnapshotError(f"{self.store_path}: cannot open snapshot {name}: {err}") from err
            self.close()
            self._store, self._lease, self.generation = opened, fd, name
            return
        raise SnapshotError(f"{self.store_path}: no published snapshot could be opened")

    def close(self) -> None:
        self._store = None
        self.generation = None
        self._forget_pointer()
        if self._lease is not None:
            os.close(self._lease)  # closing the descriptor lets go of the shared lock
            self._lease = None
