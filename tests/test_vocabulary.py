"""kg ingest puts the ontology and the schemes into their own graph (issue 13, point 7), the
commands that count or check reports leave that graph out, and kg serve on a store without it
says so and answers for the vocabulary from the files."""
from __future__ import annotations

import json
import subprocess
import time

import httpx

from kg.store import EmbeddedStore
from kg.graph.vocabulary import VOCABULARY_GRAPH, stored_hash, vocabulary_hash

from .api_fixtures import free_port, load
from .conftest import kg_command, run_kg, EXAMPLE_REPORTS


def test_ingest_loads_the_vocabulary_and_reports_stay_reports(tmp_path, examples_copy):
    store = str(tmp_path / "store")
    proc = run_kg("ingest", str(examples_copy), "--store", store)
    assert proc.returncode == 0, proc.stderr
    with EmbeddedStore(store, read_only=True) as db:
        assert VOCABULARY_GRAPH in db.graphs() and stored_hash(db) == vocabulary_hash()
        report_graphs = [g for g in db.graphs() if g != VOCABULARY_GRAPH]
    stats = json.loads(run_kg("stats", "--store", store, "--format", "json", check=True).stdout)
    assert stats["reports"] == EXAMPLE_REPORTS and stats["graphs"] == len(report_graphs)  # reports and their checks
    assert f"{len(report_graphs)} of {len(report_graphs)} graphs conform" in run_kg("validate", "--store", store, check=True).stdout
    english = run_kg("sparql", "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l WHERE "
                     "{ <https://w3id.org/policy-kg/scheme/level/law> skos:prefLabel ?l FILTER(LANG(?l) = 'en') }",
                     "--store", store, "--format", "csv", check=True).stdout
    assert "Law" in english.split()  # the union default graph sees the vocabulary too


def test_serve_says_when_a_read_only_store_lacks_the_vocabulary(tmp_path):
    store = tmp_path / "store"
    with EmbeddedStore(store) as db:
        load(db)  # report graphs only, as an older version wrote them
    port = free_port()
    server = subprocess.Popen([*kg_command(), "serve", "--store", str(store), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        assert "does not hold the current ontology" in line and "kg ingest" in line
        for _ in range(200):  # the pages of the vocabulary still answer, from the files
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/scheme/level/law?lang=en")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert response.status_code == 200 and "<title>Law · policy-kg</title>" in response.text
    finally:
        server.terminate()
        server.wait(10)
