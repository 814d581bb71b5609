"""`kg serve --workers N`: N server processes answer HTTP over the same published snapshot;
a writing server (with a token) refuses to run more than one."""
from __future__ import annotations

import subprocess

import httpx
import psutil
import pytest

from .api_fixtures import free_port, wait_for_server
from .conftest import EXAMPLES, kg_command, run_kg, EXAMPLE_REPORTS

COUNT = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?r a <https://w3id.org/policy-kg/ontology#Report> } }"


def test_two_server_processes_answer(tmp_path):
    store = tmp_path / "store"
    run_kg("ingest", str(EXAMPLES), "--store", str(store), check=True)
    port = free_port()
    server = subprocess.Popen([*kg_command(), "serve", "--store", str(store), "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, server)
        with httpx.Client(timeout=60) as client:
            for _ in range(20):
                r = client.get(url + "/sparql", params={"query": COUNT},
                               headers={"Accept": "application/sparql-results+json", "Connection": "close"})
                assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == str(EXAMPLE_REPORTS)
        servers = [p for p in psutil.Process(server.pid).children() if "multiprocessing" in " ".join(p.cmdline())
                   or "spawn" in " ".join(p.cmdline())]
        assert len(servers) >= 2, [p.cmdline() for p in psutil.Process(server.pid).children()]
    finally:
        server.terminate()
        server.wait(20)


def test_a_writing_server_takes_one_worker(tmp_path):
    proc = run_kg("serve", "--store", str(tmp_path / "store"), "--workers", "2", "--token", "t")
    assert proc.returncode != 0 and "--workers serves read-only" in proc.stderr
    assert "Traceback" not in proc.stderr


ALL = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_answers_larger_than_a_pipe_come_back_whole_on_every_event_loop(tmp_path, loop):
    """An answer of several hundred kilobytes (many pipe buffers) read from a query worker, under
    the event loop uvicorn picks: uvloop leaves the worker's descriptor non-blocking after
    add_reader, which once made a long answer look like a lost worker (503)."""
    from api.app import create_app
    from kg.store import open_store

    from .api_fixtures import serve

    if loop == "uvloop":
        pytest.importorskip("uvloop", reason="uvloop is not installed here (it is a dependency on Linux)")
    run_kg("ingest", str(EXAMPLES), "--store", str(tmp_path / "store"), check=True)
    store = open_store(tmp_path / "store")
    try:
        with serve(create_app(store), loop=loop) as url:
            for _ in range(3):
                r = httpx.post(url + "/sparql", data={"query": ALL}, timeout=60,
                               headers={"Accept": "application/sparql-results+json"})
                assert r.status_code == 200, r.text[:200]
                assert len(r.content) > 256 * 1024 and len(r.json()["results"]["bindings"]) > 2000
    finally:
        store.close()
