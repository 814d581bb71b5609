"""The API over a remote store (a real ``oxigraph serve``) answers like over the embedded store."""
from __future__ import annotations

import json

import csv
import io
import time

import httpx
import pytest
from rdflib import Graph

from api.app import create_app
from kg.store import RemoteStore

from .api_fixtures import (AGENCY, CIVIL_CODE, GRAPH, OTHER_GRAPH, OXIGRAPH, QUERY_FILES, REGION, TOKEN,
                           last, load, make_store, oxigraph_server, report_graphs, serve, triple_count,
                           write_queries)

pytestmark = [pytest.mark.skipif(not OXIGRAPH.exists(), reason=f"no Oxigraph server CLI at {OXIGRAPH}"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")]
ROW_LIMIT = 20


@pytest.fixture(scope="module")
def remote_store(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        store = RemoteStore(url)
        load(store)  # RemoteStore.replace_graph, one report graph at a time
        yield store
        store.close()


@pytest.fixture(scope="module")
def servers(remote_store, tmp_path_factory):
    """Two API servers with the same settings: over the embedded and over the remote store."""
    queries = write_queries(tmp_path_factory.mktemp("queries"))
    embedded = make_store(tmp_path_factory.mktemp("embedded") / "store")
    settings = dict(token=TOKEN, queries_dir=queries, row_limit=ROW_LIMIT, query_timeout=1.5)
    with serve(create_app(embedded, **settings)) as local, serve(create_app(remote_store, **settings)) as remote:
        yield local, remote
    embedded.close()


def rows(response) -> list[tuple]:
    assert response.status_code == 200, response.text
    data = response.json()
    return sorted(tuple(sorted((k, tuple(sorted(v.items()))) for k, v in b.items()))
                  for b in data["results"]["bindings"])


def test_remote_store_holds_the_dataset(remote_store):
    assert remote_store.graphs() == sorted([str(GRAPH), str(OTHER_GRAPH)])
    assert triple_count(remote_store) == sum(len(g) for g in report_graphs().values())


NAMED_CALLS = [("targets", {}), ("targets", {"year": "2024"}), ("targets", {"year": "1999"}),
               ("targets", {"value": "95"}), ("agency_by_name", {"name": "北京市司法局"}),
               ("sentences", {}), ("sentences", {"text": 'x" } ; DROP ALL #'}),
               ("actions", {}), ("actions", {"doc": str(CIVIL_CODE)})]


@pytest.mark.parametrize("name, params", NAMED_CALLS)
def test_named_queries_answer_the_same(servers, name, params):
    local, remote = servers
    here = httpx.get(f"{local}/queries/{name}", params=params)
    there = httpx.get(f"{remote}/queries/{name}", params=params)
    assert rows(here) == rows(there)
    assert there.headers["content-type"].startswith("application/sparql-results+json")


def test_every_named_query_is_covered():
    assert {name for name, _ in NAMED_CALLS} | {"describe_node"} == set(QUERY_FILES)


@pytest.mark.parametrize("media, fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld")])
def test_named_construct_answers_the_same(servers, media, fmt):
    local, remote = servers
    graphs = []
    for base in servers:
        response = httpx.get(f"{base}/queries/describe_node", params={"node": str(AGENCY)}, headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        graphs.append(set(Graph().parse(data=response.text, format=fmt)))
    assert graphs[0] == graphs[1] == set(report_graphs()[GRAPH].triples((AGENCY, None, None)))


def test_sparql_endpoint_over_remote(servers):
    local, remote = servers
    query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    for base in servers:
        response = httpx.get(f"{base}/sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert response.headers["x-result-truncated"] == "true"
        assert len(list(csv.reader(io.StringIO(response.text)))) == ROW_LIMIT + 1
    small = f"SELECT ?o WHERE {{ GRAPH ?g {{ <{REGION}> ?p ?o }} }}"
    answers = [rows(httpx.get(f"{base}/sparql", params={"query": small})) for base in servers]
    assert answers[0] == answers[1]
    bad = httpx.get(f"{remote}/sparql", params={"query": "SELECT * WHERE {"})
    assert bad.status_code == 400
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.post(f"{remote}/sparql", data={"query": graphs, "named-graph-uri": str(OTHER_GRAPH)})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [str(OTHER_GRAPH)]


def test_lookups_over_remote(servers):
    local, remote = servers
    for path in ["/agencies", f"/agencies/{last(AGENCY)}", f"/documents/{last(CIVIL_CODE)}",
                 "/documents?level=law", "/targets", "/search?q=民法典", f"/regions/{last(REGION)}"]:
        here, there = httpx.get(local + path), httpx.get(remote + path)
        assert here.status_code == there.status_code == 200
        if path.startswith("/search"):  # the embedded store's index (kg.search) vs the remote scan:
            mine, theirs = (json.loads(r.text.replace(base, "")) for r, base in ((here, local), (there, remote)))
            assert mine["total"] == theirs["total"], path  # the same hits; order and the sampled
            strip = lambda items: sorted(json.dumps({**i, "type": None}, sort_keys=True) for i in items)  # noqa: E731
            assert strip(mine["items"]) == strip(theirs["items"]), path  # type may differ
            continue
        assert here.text.replace(local, "") == there.text.replace(remote, ""), path


def test_update_and_timeout_over_remote(servers, remote_store):
    _, remote = servers
    insert = 'INSERT DATA { GRAPH <urn:test:remote> { <urn:a> <urn:b> "c" } }'
    assert httpx.post(f"{remote}/sparql", data={"update": insert}).status_code == 401
    response = httpx.post(f"{remote}/sparql", data={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204
    assert "urn:test:remote" in remote_store.graphs()
    remote_store.drop_graph("urn:test:remote")
    numbers = " ".join(str(i) for i in range(300))
    slow = (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} "
            f"VALUES ?c {{ {numbers} }} VALUES ?d {{ {numbers} }} }}")  # 8.1e9 rows: never within the limit
    start = time.monotonic()
    response = httpx.post(f"{remote}/sparql", data={"query": slow}, timeout=30)
    assert response.status_code == 504 and "timed out" in response.json()["detail"]
    assert time.monotonic() - start < 4
