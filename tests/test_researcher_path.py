"""The README's researcher's path runs as written, and the /sparql endpoint gives SPARQLWrapper,
rdflib's SPARQLStore and plain curl the same answers as the named-query endpoints."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from api.app import create_app
from kg.ingest import ingest_paths
from kg.queries import named_queries
from kg.store import open_store

from .api_fixtures import free_port, serve
from .conftest import EXAMPLES, ROOT

CONTRACT = ["documents", "implementations", "commitments", "targets", "metrics", "agencies", "initiatives"]


def readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- researcher-path -->\s*```bash\n(.*?)```\s*<!-- /researcher-path -->", text, re.S)
    assert match, "README.md has no researcher-path block"
    return match.group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl (apt-get install curl)")
def test_the_readme_researcher_path_runs_as_written(tmp_path):
    port = free_port()
    script = readme_block().replace("8000", str(port))
    (tmp_path / "examples").symlink_to(EXAMPLES)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.run(["bash", "-e", "-c", "set -m\n" + script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "report,agency,jurisdiction,regulation,action,year" in out  # implementations as CSV
    assert "中华人民共和国民营经济促进法" in out  # who cites it
    assert '"n"' in out  # the SPARQL answer through curl
    gexf = (tmp_path / "research.gexf").read_text(encoding="utf-8")
    assert gexf.startswith("<?xml") and "<node " in gexf


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    db = open_store(tmp_path_factory.mktemp("path") / "store")
    assert ingest_paths([EXAMPLES], db).ok
    with serve(create_app(db)) as url:
        yield url
    db.close()


def canonical(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows)


@pytest.mark.parametrize("name", CONTRACT)
def test_sparql_clients_get_what_the_named_queries_give(url, name):
    text = named_queries()[name].text
    named = httpx.get(f"{url}/queries/{name}", headers={"Accept": "application/sparql-results+json"},
                      timeout=60).json()["results"]["bindings"]
    assert named, name
    wrapper = SPARQLWrapper(url + "/sparql", returnFormat=JSON)
    wrapper.setQuery(text)
    assert canonical(wrapper.query().convert()["results"]["bindings"]) == canonical(named)
    graph = Graph(store=SPARQLStore(url + "/sparql", returnFormat="json"))
    via_rdflib = [{str(var): {"value": str(row[var])} for var in row.labels if row[var] is not None}
                  for row in graph.query(text)]
    assert canonical(via_rdflib) == canonical(named)
    if shutil.which("curl"):
        curl = subprocess.run(["curl", "-sf", "-H", "Accept: application/sparql-results+json",
                               "--data-urlencode", f"query={text}", url + "/sparql"],
                              capture_output=True, text=True, timeout=60)
        assert curl.returncode == 0
        assert canonical(json.loads(curl.stdout)["results"]["bindings"]) == canonical(named)
