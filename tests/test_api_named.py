"""Named queries as GET routes (/queries/{name}), their listing, and the OpenAPI description."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from api.app import create_app
from kg.queries import named_queries

from .api_fixtures import (AGENCY, CIVIL_CODE, GRAPH, QUERY_FILES, SENTENCE_TEXT, TARGET, TOKEN, make_store,
                           module_store, report_graphs, serve, triple_count, write_queries)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory):
    return write_queries(tmp_path_factory.mktemp("queries"))


store = module_store("named")


@pytest.fixture(scope="module")
def client(store, queries_dir):
    app = create_app(store, token=TOKEN, queries_dir=queries_dir)
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def bindings(response, var):
    assert response.status_code == 200, response.text
    return [b[var]["value"] for b in response.json()["results"]["bindings"] if var in b]


def test_listing(client):
    listing = client.get("/queries")
    assert listing.status_code == 200
    items = {q["name"]: q for q in listing.json()}
    assert set(items) == set(QUERY_FILES)
    targets = items["targets"]
    assert targets["summary"] == "Quantified targets with their year."
    assert targets["path"] == "/queries/targets"
    assert targets["params"] == [
        {"name": "year", "type": "integer", "required": False, "description": "The year planned for."},
        {"name": "value", "type": "decimal", "required": False, "description": "The target value."}]
    assert items["agency_by_name"]["params"][0]["required"] is True
    assert "SELECT ?target" in targets["sparql"]


def test_listing_follows_the_environment_variable(store, queries_dir, monkeypatch):
    monkeypatch.setenv("POLICY_KG_QUERIES", str(queries_dir))
    app = create_app(store)
    paths = set(app.openapi()["paths"])
    assert {f"/queries/{name}" for name in QUERY_FILES} <= paths


def test_typed_parameters(client):
    assert bindings(client.get("/queries/targets"), "target") == [str(TARGET)]
    assert bindings(client.get("/queries/targets", params={"year": 2024}), "target") == [str(TARGET)]
    assert bindings(client.get("/queries/targets", params={"year": 2023}), "target") == []
    assert bindings(client.get("/queries/targets", params={"value": "95.0"}), "target") == [str(TARGET)]
    assert client.get("/queries/targets", params={"year": "soon"}).status_code == 422
    zh = client.get("/queries/agency_by_name", params={"name": "北京市司法局"})
    assert bindings(zh, "agency") == [str(AGENCY)]
    assert client.get("/queries/agency_by_name").status_code == 422  # required
    iri = client.get("/queries/actions", params={"doc": str(CIVIL_CODE)})
    assert bindings(iri, "agency") == [str(AGENCY)]
    bad_iri = client.get("/queries/actions", params={"doc": "not an iri"})
    assert bad_iri.status_code == 400 and "is not an IRI" in bad_iri.json()["detail"]


def test_unknown_parameter_is_400(client):
    response = client.get("/queries/targets", params={"yaer": 2024})
    assert response.status_code == 400
    assert "yaer" in response.json()["detail"] and "year" in response.json()["detail"]


def test_content_negotiation(client):
    response = client.get("/queries/targets", headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["indicator"] == "法治宣传覆盖率" and rows[0]["year"] == "2024"
    xml = client.get("/queries/targets", headers={"Accept": "application/sparql-results+xml;q=1, */*;q=0.1"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert client.get("/queries/targets", headers={"Accept": "text/turtle"}).status_code == 406
    expected = set(report_graphs()[GRAPH].triples((AGENCY, None, None)))
    for media, fmt in [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                       ("application/n-triples", "nt"), ("application/rdf+xml", "xml")]:
        response = client.get("/queries/describe_node", params={"node": str(AGENCY)}, headers={"Accept": media})
        assert response.headers["content-type"].startswith(media)
        assert set(Graph().parse(data=response.text, format=fmt)) == expected


def test_injection_is_bound_not_spliced(client, store):
    before = triple_count(store)
    attack = 'x" } ; DROP ALL #'
    response = client.get("/queries/sentences", params={"text": attack})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    for attack in ['x" } } ; DROP ALL ; SELECT * { { "', "x\\\" } ; CLEAR ALL #", 'x"""} DROP ALL #']:
        response = client.get("/queries/sentences", params={"text": attack})
        assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    response = client.get("/queries/agency_by_name", params={"name": '北京市司法局"@zh } ; DROP ALL #'})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    response = client.get("/queries/actions", params={"doc": "urn:x> } ; DROP ALL #"})
    assert response.status_code == 400
    assert triple_count(store) == before
    # ... and the same parameter with a real value finds the sentence.
    found = client.get("/queries/sentences", params={"text": SENTENCE_TEXT})
    assert bindings(found, "text") == [SENTENCE_TEXT]


def test_openapi_describes_every_named_query(client, queries_dir):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "policy-kg API"
    for query in named_queries(queries_dir).values():
        operation = spec["paths"][f"/queries/{query.name}"]["get"]
        assert operation["summary"] == query.summary
        params = {p["name"]: p for p in operation.get("parameters", [])}
        assert set(params) == {p.name for p in query.params}
        for param in query.params:
            declared = params[param.name]
            assert declared["in"] == "query"
            assert declared["required"] is param.required
            assert param.description in declared["description"]
            schema = declared["schema"]
            types = {s.get("type") for s in schema.get("anyOf", [schema])}
            expected = {"integer": "integer", "decimal": "number", "string": "string", "zh": "string",
                        "iri": "string"}[param.type]
            assert expected in types
        assert {"200", "400", "406", "504"} <= set(operation["responses"])
        assert "text/csv" in operation["responses"]["200"]["content"]


def test_openapi_every_route_has_described_responses(client):
    spec = client.get("/openapi.json").json()
    expected = {"/sparql", "/queries", "/agencies", "/agencies/{id}", "/documents", "/documents/{id}",
                "/regions/{id}", "/targets", "/search", "/", "/id/{path}", "/reports"}
    assert expected <= set(spec["paths"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (path, method)
            assert operation["responses"], (path, method)
            for status, response in operation["responses"].items():
                assert response.get("description"), (path, method, status)
    post = spec["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert {"application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"} <= set(post)
    assert "multipart/form-data" in spec["paths"]["/reports"]["post"]["requestBody"]["content"]


PROJECT_QUERIES = Path(__file__).resolve().parent.parent / "queries"


@pytest.mark.skipif(not list(PROJECT_QUERIES.glob("*.rq")), reason="no queries/*.rq in the project yet")
def test_the_project_queries_become_routes(tmp_path):
    """The real queries/ folder over the example reports: each query is a documented route that runs."""
    ingest = pytest.importorskip("kg.ingest")
    store = make_store(tmp_path / "store")
    examples = PROJECT_QUERIES.parent / "examples"
    if examples.is_dir():
        ingest.ingest_paths([examples], store)
    queries = named_queries(PROJECT_QUERIES)
    with serve(create_app(store, queries_dir=PROJECT_QUERIES)) as url, httpx.Client(base_url=url) as client:
        spec = client.get("/openapi.json").json()
        listing = {q["name"] for q in client.get("/queries").json()}
        assert listing == set(queries)
        for query in queries.values():
            operation = spec["paths"][f"/queries/{query.name}"]["get"]
            assert {p["name"] for p in operation.get("parameters", [])} == {p.name for p in query.params}
            if any(p.required for p in query.params):
                continue
            response = client.get(f"/queries/{query.name}", headers={"Accept": "text/csv"})
            assert response.status_code == 200, (query.name, response.text)
            assert response.headers["content-type"].startswith("text/csv")
    store.close()


@pytest.fixture(scope="module")
def project_client(tmp_path_factory):
    """The project's queries over a store of the example reports, behind a real uvicorn."""
    from kg.ingest import ingest_paths

    store = make_store(tmp_path_factory.mktemp("project") / "store")
    ingest_paths([PROJECT_QUERIES.parent / "examples"], store)
    with serve(create_app(store, queries_dir=PROJECT_QUERIES)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client
    store.close()


@pytest.mark.parametrize("query, param, value", [
    ("documents", "level", "bogus"),
    ("documents", "level", "地方法规"),
    ("agencies", "level", "county"),
    ("implementations", "action", "ignore"),
])
def test_parameter_values_outside_their_scheme_are_422_with_the_valid_ones(project_client, query, param, value):
    r = project_client.get(f"/queries/{query}", params={param: value})
    assert r.status_code == 422, r.text
    assert "valid:" in r.json()["detail"]


@pytest.mark.parametrize("value", ["local-regulation", "地方性法规", "Local regulation", "LOCAL-REGULATION"])
def test_a_level_may_be_named_by_code_or_label(project_client, value):
    r = project_client.get("/queries/documents", params={"level": value},
                           headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    assert rows and {b["level"]["value"] for b in rows} == {"local-regulation"}
