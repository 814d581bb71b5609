"""Readers do not need the writer's lock: `kg stats`/`kg query` read the newest published
snapshot while an ingest writes, `kg serve` without a token lets an ingest write meanwhile and
then sees what it wrote, and a lock that does block names the way round."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import httpx

from kg.store import EmbeddedStore

from .api_fixtures import free_port, wait_for_server
from .conftest import EXAMPLES, kg_command, run_kg
from .test_reliability import make_corpus

# the report graphs (not the vocabulary's graph, which kg ingest also writes: kg.graph.vocabulary)
GRAPHS = ("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
          "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/policy-kg/id/graph/')) }")


def writer_holds(store, proc, timeout=120.0) -> None:
    lock = store.with_name(store.name + ".lock")
    deadline = time.monotonic() + timeout
    while not (lock.exists() and lock.read_text().startswith(f"pid {proc.pid}")):
        assert proc.poll() is None and time.monotonic() < deadline, "the ingest never took the store"
        time.sleep(0.02)


def test_readers_read_the_last_snapshot_while_an_ingest_writes(tmp_path):
    store = tmp_path / "store"
    run_kg("ingest", str(EXAMPLES), "--store", str(store), check=True)
    make_corpus(tmp_path / "corpus", 150)
    ingest = subprocess.Popen([*kg_command(), "ingest", str(tmp_path / "corpus"), "--store", str(store),
                               "--no-shacl", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        writer_holds(store, ingest)
        started = time.monotonic()
        stats = run_kg("stats", "--store", str(store), "--format", "json")
        query = run_kg("sparql", GRAPHS, "--store", str(store), "--format", "json", "--wait", "0")
        took = time.monotonic() - started
        writing = ingest.poll() is None
    finally:
        os.killpg(ingest.pid, signal.SIGKILL)
        ingest.wait()
    assert stats.returncode == 0, stats.stderr
    assert query.returncode == 0, query.stderr
    assert writing, "the ingest ended before the readers ran; make the corpus larger"
    assert "reading the snapshot it last published" in stats.stderr
    # the four examples and the progress graphs of their two bodies
    assert json.loads(query.stdout)["results"]["bindings"][0]["n"]["value"] == "6"
    assert took < 60


def test_a_blocking_lock_names_the_way_round(tmp_path):
    writer = EmbeddedStore(tmp_path / "store")  # holds the store and has published nothing
    try:
        proc = run_kg("stats", "--store", str(tmp_path / "store"))
    finally:
        writer.close()
    assert proc.returncode != 0
    assert "--store http://127.0.0.1:8000/sparql" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_serve_without_a_token_lets_an_ingest_write_and_then_sees_it(tmp_path):
    store = tmp_path / "store"
    run_kg("ingest", str(EXAMPLES), "--store", str(store), check=True)
    make_corpus(tmp_path / "corpus", 3)
    port = free_port()
    server = subprocess.Popen([*kg_command(), "serve", "--store", str(store), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, server)

        def graphs() -> int:
            r = httpx.get(url + "/sparql", params={"query": GRAPHS},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
            assert r.status_code == 200, r.text
            return int(r.json()["results"]["bindings"][0]["n"]["value"])

        assert graphs() == 6  # the four examples and their two bodies' progress graphs
        ingest = run_kg("ingest", str(tmp_path / "corpus"), "--store", str(store), "--wait", "0")
        assert ingest.returncode == 0, ingest.stderr  # the server did not hold the store
        assert graphs() == 6 + 6  # the snapshot the ingest published when it closed
        # and a writer through the server's URL (its /sparql takes reads and updates alike)
        remote = run_kg("sparql", GRAPHS, "--store", url + "/sparql", "--format", "json")
        assert remote.returncode == 0, remote.stderr
        assert json.loads(remote.stdout)["results"]["bindings"][0]["n"]["value"] == "12"
    finally:
        server.terminate()
        server.wait(10)
