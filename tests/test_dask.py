"""Extraction beyond one machine: one report's extraction is a pure function, the Dask executor
(a real LocalCluster of 2 worker processes on 127.0.0.1) stores exactly what `kg ingest --jobs 2`
stores, survives a worker killed mid-run, and writes N-Quads shards that `kg load` puts into the
embedded store and an Oxigraph server."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys

import pytest

from kg.authority import default_authority
from kg.parallel import Settings, extract_report, ingest_paths_parallel
from kg.read import read_report
from kg.store import RemoteStore, open_store
from kg.graph.vocab import report_graph

from .conftest import CORPUS, EXAMPLES, SHARED, needs_corpus, run_kg, EXAMPLE_REPORTS
from .oxigraph_server import oxigraph_binary, oxigraph_server

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed (pip install '.[dask]')")

CORPUS_DEV = SHARED / "corpus-dev"
ALL = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def dump(store) -> set[tuple[str, ...]]:
    """Every quad of the report graphs (the vocabulary graph `kg ingest` also loads is not a
    report's: kg/graph/vocabulary.py)."""
    return {(r["g"], r["s"], r["p"], r["o"]) for r in store.select_rows(ALL)
            if r["g"].startswith("https://w3id.org/policy-kg/id/graph/")}


@pytest.fixture(scope="module")
def cluster():
    """A real Dask cluster: a scheduler and 2 single-threaded worker processes on loopback."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as local:
        yield local


@pytest.fixture
def dask_executor(cluster):
    from distributed import Client

    from kg.executors import DaskExecutor

    executor = DaskExecutor(Client(cluster))
    yield executor
    executor.client.close()


def _jobs2(tmp_path, paths, name="jobs2"):
    store = open_store(tmp_path / name)
    summary = ingest_paths_parallel(paths, store, jobs=2)
    assert summary.ok, [o.error for o in summary.failed]
    return store, summary


def test_extraction_is_a_function_of_one_report():
    """The same report gives the same N-Quads whatever was extracted before it in the process,
    and in a fresh process: no state but the read-only settings."""
    first, second = [read_report(p) for p in sorted(EXAMPLES.glob("*.txt"))][:2]
    settings = Settings(default_authority())
    alone = extract_report(first, settings)
    extract_report(second, settings)
    again = extract_report(first, settings)
    assert alone.conforms and alone.nquads == again.nquads
    assert alone.nquads.count(b"\n") == alone.triples > 100
    assert all(line.endswith(f" <{report_graph(first.id)}> .".encode()) for line in alone.nquads.splitlines())
    code = ("import hashlib, sys; from kg.authority import default_authority; from kg.read import read_report; "
            "from kg.parallel import Settings, extract_report; "
            "r = extract_report(read_report(sys.argv[1]), Settings(default_authority())); "
            "print(hashlib.sha256(r.nquads).hexdigest())")
    fresh = subprocess.run([sys.executable, "-c", code, first.path], capture_output=True, text=True, timeout=300)
    assert fresh.stdout.strip() == hashlib.sha256(alone.nquads).hexdigest(), fresh.stderr


@needs_corpus
def test_dask_stores_the_same_quads_as_jobs_2(tmp_path, dask_executor):
    paths = [CORPUS, CORPUS_DEV]
    local, expected = _jobs2(tmp_path, paths)
    store = open_store(tmp_path / "dask")
    seen = []
    summary = ingest_paths_parallel(paths, store, executor=dask_executor, on_done=lambda o: seen.append(o.report_id))
    assert summary.ok and len(summary.stored) == len(expected.stored) == 12
    assert sorted(seen) == sorted(o.report_id for o in expected.outcomes)
    assert dump(store) == dump(local)
    store.close(), local.close()


def test_the_cli_runs_on_a_scheduler_by_its_address(tmp_path, cluster):
    proc = run_kg("ingest", str(EXAMPLES), "--store", str(tmp_path / "s"), "--executor", "dask",
                  "--scheduler", cluster.scheduler_address, "-q")
    assert proc.returncode == 0, proc.stderr
    assert f"{EXAMPLE_REPORTS} reports stored, 0 failed" in proc.stderr
    local, _ = _jobs2(tmp_path, [EXAMPLES])
    with open_store(tmp_path / "s", read_only=True) as store:
        assert dump(store) == dump(local)
    local.close()


def test_bad_files_fail_alone_with_one_line_on_dask(tmp_path, dask_executor):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for path in EXAMPLES.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01 not a report")
    store = open_store(tmp_path / "store")
    summary = ingest_paths_parallel([folder], store, executor=dask_executor)
    errors = sorted(o.error for o in summary.failed)
    assert len(summary.stored) == EXAMPLE_REPORTS and len(errors) == 2, errors
    assert all("\n" not in e for e in errors)
    assert any("empty.txt" in e for e in errors) and any("binary.txt" in e for e in errors)
    store.close()


def test_a_worker_killed_mid_run_loses_no_report_and_stores_none_twice(tmp_path, monkeypatch):
    """One of 2 worker processes is SIGKILLed while reports are in flight: its tasks rerun on
    the other worker (and the nanny's fresh one); every report is stored, each once."""
    import logging

    import kg.parallel as parallel
    from distributed import Client, LocalCluster

    from kg.executors import DaskExecutor

    from .test_parallel import _copies

    monkeypatch.setattr(parallel, "WRITE_BATCH", 1)  # write (and report) as results come
    folder = _copies(tmp_path / "many", 24)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.CRITICAL) as own:
        client = Client(own)
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]
        writes: list[str] = []
        store = open_store(tmp_path / "store")
        real = store.bulk_replace

        def counted(graphs, **options):
            graphs = list(graphs)
            writes.extend(iri for iri, _ in graphs)
            return real(graphs, **options)

        store.bulk_replace = counted
        killed_at = []

        def done(outcome):
            if not killed_at:
                os.kill(victim, signal.SIGKILL)
                killed_at.append(len(writes))

        summary = ingest_paths_parallel([folder], store, executor=DaskExecutor(client), chunk=1, on_done=done)
        alive = client.run(os.getpid)
        client.close()
    assert killed_at and killed_at[0] < 24, "the worker was killed while reports were still in flight"
    assert victim not in alive.values()
    assert summary.ok and len(summary.stored) == 24, [o.error for o in summary.failed]
    assert sorted(writes) == sorted(str(report_graph(f"r{i:03}")) for i in range(24))  # each stored once
    local, _ = _jobs2(tmp_path, [folder])
    assert dump(store) == dump(local)
    store.close(), local.close()


@needs_corpus
def test_shards_from_dask_load_into_the_embedded_store_and_an_oxigraph_server(tmp_path, cluster):
    shards = tmp_path / "shards"
    proc = run_kg("extract-all", str(CORPUS), str(EXAMPLES), "--output", str(shards), "--executor", "dask",
                  "--scheduler", cluster.scheduler_address)
    assert proc.returncode == 0, proc.stderr
    assert f"{2 + EXAMPLE_REPORTS} reports written, 0 failed" in proc.stderr
    assert sorted(p.name for p in shards.iterdir()) == ["part-00000.nq"]
    again = run_kg("extract-all", str(EXAMPLES), "--output", str(shards))
    assert again.returncode == 1 and "already holds N-Quads shards" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1

    local, _ = _jobs2(tmp_path, [CORPUS, EXAMPLES])
    expected = dump(local)
    local.close()
    loaded = run_kg("load", str(shards), "--store", str(tmp_path / "loaded"))
    assert loaded.returncode == 0, loaded.stderr
    reports_only = {quad for quad in expected if "/id/graph/progress/" not in quad[0]}  # shards: report graphs;
    assert f"{len(reports_only)} quads loaded" in loaded.stderr  # the progress checks are recomputed after
    with open_store(tmp_path / "loaded", read_only=True) as store:
        assert dump(store) == expected
    if oxigraph_binary() is None:
        pytest.skip("the `oxigraph` server (PyPI package oxigraph) is not installed")
    with oxigraph_server(tmp_path / "oxigraph") as url:
        assert run_kg("load", str(shards), "--store", url).returncode == 0
        assert run_kg("load", str(shards), "--store", url).returncode == 0  # again: the same quads
        remote = RemoteStore(url)
        assert dump(remote) == expected
        remote.close()


def test_load_errors_are_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = run_kg("load", str(tmp_path / "empty"), "--store", str(tmp_path / "s"))
    assert proc.returncode == 1 and "no N-Quads shards" in proc.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "part-00000.nq").write_text("<urn:a> <urn:b> \"c\" .\nnot n-quads\n", encoding="utf-8")
    proc = run_kg("load", str(bad), "--store", "http://127.0.0.1:9/sparql", "--graph-store", "http://127.0.0.1:9/gsp")
    assert proc.returncode == 1 and "part-00000.nq: not loaded" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_no_scheduler_is_one_line(tmp_path):
    proc = run_kg("ingest", str(EXAMPLES), "--store", str(tmp_path / "s"), "--executor", "dask",
                  "--scheduler", "tcp://127.0.0.1:9", env={"POLICY_KG_DASK_CONNECT_TIMEOUT": "3"})
    assert proc.returncode == 1 and "no Dask scheduler answers at tcp://127.0.0.1:9" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_without_a_scheduler_kg_starts_a_local_cluster(tmp_path):
    proc = run_kg("ingest", str(EXAMPLES), "--store", str(tmp_path / "s"), "--executor", "dask", "--jobs", "1", "-q")
    assert proc.returncode == 0 and f"{EXAMPLE_REPORTS} reports stored, 0 failed" in proc.stderr, proc.stderr


@pytest.mark.parametrize("args, message", [(["--executor", "spark"], "unknown executor 'spark' (local or dask)"),
                                           (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler goes with --executor dask")])
def test_executor_options_are_checked_in_one_line(tmp_path, args, message):
    proc = run_kg("ingest", str(EXAMPLES), "--store", str(tmp_path / "s"), *args)
    assert proc.returncode == 1 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
