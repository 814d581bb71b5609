"""Published snapshots: readers in other processes see what was committed, whole; a snapshot
is deleted only when no process reads it; write methods take turns."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kg.snapshots import SnapshotReader, collect, current_generation, snapshots_dir
from kg.store import StoreError, WorkerStore, open_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def n(store) -> int:
    return int(store.select(COUNT)["results"]["bindings"][0]["n"]["value"])


def triples(k: int, tag: str) -> str:
    return "".join(f'<http://e/{tag}/{i}> <http://e/p> "{i}" .\n' for i in range(k))


def test_a_reader_sees_what_was_published_and_moves_on_when_asked(tmp_path):
    db = open_store(tmp_path / "store")
    db.replace_ntriples("http://e/g1", triples(3, "a"))
    with pytest.raises(StoreError, match="no published snapshot"):
        WorkerStore(tmp_path / "store", snapshots=True)
    db.publish_snapshots()
    reader = WorkerStore(tmp_path / "store", snapshots=True)
    assert n(reader) == 3
    db.replace_ntriples("http://e/g2", triples(5, "b"))  # published after the write
    assert n(reader) == 3  # a reader keeps its snapshot until it refreshes
    reader.refresh()
    assert n(reader) == 8
    reader.close()
    db.close()


def test_a_reader_follows_every_publication_however_quick(tmp_path):
    """A reader asks CURRENT with a stat while it names the snapshot open: after each of many
    publications in a row (written well inside one tick of the file system's clock, the
    pointer file's size unchanged), the next refresh opens the newest, and an unchanged pointer
    keeps the one open."""
    db = open_store(tmp_path / "store")
    db.publish_snapshots()
    reader = SnapshotReader(tmp_path / "store")
    first = reader.store()
    assert reader.store() is first  # nothing published: the same snapshot, not reopened
    for k in range(1, 25):
        db.replace_ntriples(f"http://e/g{k}", triples(1, str(k)))  # published after the write
        reader.store()
        assert reader.generation == current_generation(tmp_path / "store"), k
        assert int(reader.store().query(COUNT).__next__()["n"].value) == k
    reader.close()
    db.close()


def test_a_snapshot_in_use_is_kept_and_deleted_once_let_go(tmp_path):
    db = open_store(tmp_path / "store")
    db.replace_ntriples("http://e/g1", triples(3, "a"))
    db.publish_snapshots()
    reader = SnapshotReader(tmp_path / "store")
    reader.store()
    held = reader.generation
    db.replace_ntriples("http://e/g2", triples(2, "b"))
    db.replace_ntriples("http://e/g3", triples(2, "c"))
    folder = snapshots_dir(tmp_path / "store")
    generations = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert held in generations and current_generation(tmp_path / "store") in generations
    assert len(generations) == 2  # the unread one in between was deleted
    reader.close()
    assert held in collect(tmp_path / "store")
    assert [p.name for p in folder.iterdir() if p.is_dir()] == [current_generation(tmp_path / "store")]
    db.close()


def test_a_reader_in_another_process_holds_its_snapshot(tmp_path):
    db = open_store(tmp_path / "store")
    db.replace_ntriples("http://e/g1", triples(4, "a"))
    db.publish_snapshots()
    script = ("import sys, time; from kg.snapshots import SnapshotReader\n"
              "r = SnapshotReader(sys.argv[1]); r.store(); print(r.generation, flush=True); sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "store")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        held = proc.stdout.readline().strip()
        db.replace_ntriples("http://e/g2", triples(1, "b"))
        assert (snapshots_dir(tmp_path / "store") / held).is_dir()
    finally:
        proc.kill()  # kill -9: the lease goes with the process
        proc.wait()
    db.replace_ntriples("http://e/g3", triples(1, "c"))
    assert not (snapshots_dir(tmp_path / "store") / held).exists()
    db.close()


def test_writers_take_turns_on_one_new_graph(tmp_path):
    """Threads replacing one new graph at once leave exactly one writer's triples."""
    db = open_store(tmp_path / "store")
    for trial in range(5):
        graph = f"http://e/race{trial}"
        barrier = threading.Barrier(6)

        def write(k: int) -> None:
            barrier.wait()
            db.bulk_replace([(graph, triples(10 + k, f"w{k}"))])

        threads = [threading.Thread(target=write, args=(k,)) for k in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rows = db.select(f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        count = int(rows["results"]["bindings"][0]["n"]["value"])
        assert count in {10 + k for k in range(6)}, count
        tags = db.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert len({Path(b["s"]["value"]).parent.name for b in tags["results"]["bindings"]}) == 1
    db.close()


def test_a_worker_store_never_writes(tmp_path):
    db = open_store(tmp_path / "store")
    db.publish_snapshots()
    reader = WorkerStore(tmp_path / "store", snapshots=True)
    with pytest.raises(StoreError, match="does not write"):
        reader.update("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")
    reader.close()
    db.close()
