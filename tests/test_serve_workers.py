"""`kg serve --workers N`: N server processes answer HTTP over the same published snapshot;
a writing server (with a token) refuses to run more than one."""
from __future__ import annotations

import subprocess

import httpx
import psutil

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
