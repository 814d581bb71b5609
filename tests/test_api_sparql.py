"""The SPARQL 1.1 Protocol endpoint, over a real uvicorn and an embedded store."""
from __future__ import annotations

import csv
import http.client
import io
import json
import socket
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from api.app import create_app
from kg.store import QueryTimeout

from .api_fixtures import (AGENCY, GRAPH, OTHER_GRAPH, TOKEN, make_store, report_graphs, serve,
                           triple_count, write_queries)

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:SPARQLWrapper.*")]
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RES = "{http://www.w3.org/2005/sparql-results#}"
ROW_LIMIT = 20
TIMEOUT = 1.5
AGENCY_QUERY = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE {{ GRAPH ?g {{ <{AGENCY}> rdfs:label ?label }} }}"""
AGENCY_CONSTRUCT = f"CONSTRUCT {{ <{AGENCY}> ?p ?o }} WHERE {{ GRAPH ?g {{ <{AGENCY}> ?p ?o }} }}"
ALL_TRIPLES = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sparql")
    store = make_store(folder / "store")
    yield store
    store.close()


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    queries = write_queries(tmp_path_factory.mktemp("queries"))
    app = create_app(store, token=TOKEN, query_timeout=TIMEOUT, row_limit=ROW_LIMIT, queries_dir=queries)
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def open_server(store, tmp_path_factory):
    """The same store with no token configured (writes disabled)."""
    queries = write_queries(tmp_path_factory.mktemp("queries-open"))
    with serve(create_app(store, token=None, queries_dir=queries)) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


def get(client, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


# --- content negotiation --------------------------------------------------------------

def parse_results(media: str, body: bytes) -> list[str]:
    """The values of ?label in a SELECT answer, read back with a real parser per format."""
    text = body.decode("utf-8")
    if media == "application/sparql-results+json":
        return [b["label"]["value"] for b in json.loads(text)["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        root = ET.fromstring(body)
        return [lit.text for lit in root.iter(f"{RES}literal")]
    if media == "text/csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        return [row["label"] for row in rows]
    if media == "text/tab-separated-values":
        rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
        assert rows[0] == ["?label"]
        return [Literal(row[0][1:].rsplit('"@', 1)[0]).value for row in rows[1:]]
    raise AssertionError(media)


@pytest.mark.parametrize("media", ["application/sparql-results+json", "application/sparql-results+xml",
                                   "text/csv", "text/tab-separated-values"])
def test_select_formats(client, media):
    response = get(client, AGENCY_QUERY, media)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert parse_results(media, response.content) == ["北京市司法局"]


RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/n-quads": "nquads",
                  "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


@pytest.mark.parametrize("media", list(RDFLIB_FORMATS))
def test_construct_formats(client, media):
    response = get(client, AGENCY_CONSTRUCT, media)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    if media == "application/n-quads":
        graph = Dataset()
        graph.parse(data=response.text, format="nquads")
        triples = {(s, p, o) for s, p, o, _ in graph.quads()}
    else:
        graph = Graph().parse(data=response.text, format=RDFLIB_FORMATS[media])
        triples = set(graph)
    expected = set(report_graphs()[GRAPH].triples((AGENCY, None, None)))
    assert triples == expected


@pytest.mark.parametrize("media", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_formats(client, media):
    response = get(client, f"ASK {{ GRAPH ?g {{ <{AGENCY}> ?p ?o }} }}", media)
    assert response.status_code == 200
    if media.endswith("json"):
        assert response.json()["boolean"] is True
    else:
        assert ET.fromstring(response.content).find(f"{RES}boolean").text == "true"


def test_describe_defaults_to_turtle(client):
    response = get(client, f"DESCRIBE <{AGENCY}>")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("accept, query, expected", [
    (None, AGENCY_QUERY, "application/sparql-results+json"),
    ("*/*", AGENCY_QUERY, "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", AGENCY_QUERY, "application/sparql-results+xml"),
    ("*/*;q=0.1, text/tab-separated-values", AGENCY_QUERY, "text/tab-separated-values"),
    ("text/*", AGENCY_QUERY, "text/csv"),
    ("text/csv;q=0, */*;q=0.5", AGENCY_QUERY, "application/sparql-results+json"),
    ("application/json", AGENCY_QUERY, "application/sparql-results+json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", AGENCY_QUERY,
     "application/sparql-results+xml"),
    (None, AGENCY_CONSTRUCT, "text/turtle"),
    ("application/sparql-results+json, text/turtle;q=0.5", AGENCY_CONSTRUCT, "text/turtle"),
    ("application/ld+json;q=0.8, application/n-triples;q=0.9", AGENCY_CONSTRUCT, "application/n-triples"),
    ("application/rdf+xml, application/n-quads", AGENCY_CONSTRUCT, "application/rdf+xml"),
    ("application/*", AGENCY_CONSTRUCT, "application/n-triples"),
])
def test_weighted_and_combined_accept(client, accept, query, expected):
    response = get(client, query, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("accept, query", [("image/png", AGENCY_QUERY), ("text/turtle", AGENCY_QUERY),
                                           ("application/sparql-results+json", AGENCY_CONSTRUCT),
                                           ("text/csv;q=0", AGENCY_QUERY)])
def test_unacceptable_is_406(client, accept, query):
    response = get(client, query, accept)
    assert response.status_code == 406
    assert "answered as" in response.json()["detail"]


# --- requests -------------------------------------------------------------------------

def test_post_form_and_direct_bodies(client):
    form = client.post("/sparql", data={"query": AGENCY_QUERY}, headers={"Accept": "text/csv"})
    assert form.status_code == 200 and "北京市司法局" in form.text
    direct = client.post("/sparql", content=AGENCY_QUERY.encode(),
                         headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert direct.status_code == 200
    assert direct.json()["results"]["bindings"][0]["label"]["value"] == "北京市司法局"


def test_post_unknown_content_type_is_415(client):
    response = client.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_both_query_and_update_is_400(client):
    response = client.post("/sparql", data={"query": AGENCY_QUERY, "update": "CLEAR ALL"})
    assert response.status_code == 400


def test_dataset_parameters(client):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = get(client, count, **{"default-graph-uri": str(GRAPH)})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == len(report_graphs()[GRAPH])
    # Without a dataset the default graph is the union of the report graphs.
    everything = sum(len(g) for g in report_graphs().values())
    assert get(client, count).json()["results"]["bindings"][0]["n"]["value"] == str(everything)
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.post("/sparql", data={"query": graphs, "named-graph-uri": str(OTHER_GRAPH)})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [str(OTHER_GRAPH)]
    response = client.post(f"/sparql?named-graph-uri={quote(str(GRAPH))}", content=graphs,
                           headers={"Content-Type": "application/sparql-query"})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [str(GRAPH)]


def test_service_description(client):
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert str(graph.value(service, SD.endpoint)).endswith("/sparql")
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query, SD.SPARQL11Update}
    formats = {str(f).rsplit("/", 1)[-1] for f in graph.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "JSON-LD"} <= formats
    names = set(graph.objects(None, SD.name))
    assert names == {URIRef(GRAPH), URIRef(OTHER_GRAPH)}


def test_service_description_without_updates(open_server):
    text = httpx.get(open_server + "/sparql", headers={"Accept": "application/n-triples"}).text
    graph = Graph().parse(data=text, format="nt")
    assert SD.SPARQL11Update not in set(graph.objects(None, SD.supportedLanguage))


@pytest.mark.parametrize("query", ["SELEC ?s WHERE { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p }",
                                   "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o ",
                                   "INSERT DATA { <urn:a> <urn:b> <urn:c> }"])
def test_malformed_query_is_400_with_the_parser_message(client, query):
    response = get(client, query)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "syntax error" in detail and "error at" in detail  # the Oxigraph parser's position
    post = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert post.status_code == 400


# --- updates --------------------------------------------------------------------------

INSERT = 'INSERT DATA { GRAPH <urn:test:update> { <urn:test:s> <urn:test:p> "added" } }'


def test_update_forbidden_without_token_configured(open_server, store):
    before = triple_count(store)
    response = httpx.post(open_server + "/sparql", data={"update": INSERT},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    assert "POLICY_KG_TOKEN" in response.json()["detail"]
    response = httpx.post(open_server + "/sparql", content="DROP ALL",
                          headers={"Content-Type": "application/sparql-update"})
    assert response.status_code == 403
    assert triple_count(store) == before


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer"])
def test_update_needs_the_right_token(client, store, header):
    before = triple_count(store)
    headers = {"Authorization": header} if header else {}
    response = client.post("/sparql", data={"update": "DROP ALL"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert triple_count(store) == before


def test_update_with_token(client, store):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = client.post("/sparql", data={"update": INSERT}, headers=auth)
    assert response.status_code == 204, response.text
    ask = get(client, 'ASK { GRAPH <urn:test:update> { <urn:test:s> <urn:test:p> "added" } }')
    assert ask.json()["boolean"] is True
    response = client.post("/sparql", content="DROP GRAPH <urn:test:update>",
                           headers={**auth, "Content-Type": "application/sparql-update"})
    assert response.status_code == 204
    assert "urn:test:update" not in store.graphs()
    bad = client.post("/sparql", data={"update": "INSERT DATA { oops"}, headers=auth)
    assert bad.status_code == 400


# --- limits ---------------------------------------------------------------------------

def test_row_cap_truncates_and_says_so(client, store):
    total = triple_count(store)
    assert total > ROW_LIMIT
    response = get(client, ALL_TRIPLES)
    assert response.headers["x-result-truncated"] == "true"
    assert response.headers["x-row-limit"] == str(ROW_LIMIT)
    assert len(response.json()["results"]["bindings"]) == ROW_LIMIT
    csv_rows = list(csv.reader(io.StringIO(get(client, ALL_TRIPLES, "text/csv").text)))
    assert len(csv_rows) == ROW_LIMIT + 1
    graph = Graph().parse(data=get(client, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }").text, format="turtle")
    assert len(graph) == ROW_LIMIT
    small = get(client, AGENCY_QUERY)
    assert small.headers["x-result-truncated"] == "false"


def expensive_query(n: int = 340) -> str:
    """A cross join of three lists: n**3 rows to count, several seconds of work."""
    numbers = " ".join(str(i) for i in range(n))
    return (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} "
            f"VALUES ?c {{ {numbers} }} FILTER(?a + ?b >= ?c) }}")


def test_timeout_while_other_requests_are_answered(server):
    outcome = {}

    def slow():
        start = time.monotonic()
        response = httpx.post(server + "/sparql", data={"query": expensive_query()}, timeout=60)
        outcome["slow"] = (response, time.monotonic() - start)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    start = time.monotonic()
    quick = httpx.get(server + "/sparql", params={"query": AGENCY_QUERY}, timeout=10)
    quick_seconds = time.monotonic() - start
    thread.join(30)
    assert quick.status_code == 200
    assert quick.json()["results"]["bindings"][0]["label"]["value"] == "北京市司法局"
    assert quick_seconds < TIMEOUT  # answered while the slow query was still running
    response, seconds = outcome["slow"]
    assert response.status_code == 504
    assert "timed out" in response.json()["detail"] and f"{TIMEOUT:g} s" in response.json()["detail"]
    assert TIMEOUT <= seconds < TIMEOUT + 2
    assert quick_seconds < seconds


def test_store_stops_a_streaming_query_at_the_deadline(store):
    # Rows stream out one by one: raw_query checks the deadline between rows.
    numbers = " ".join(str(i) for i in range(400))
    query = f"SELECT * WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} VALUES ?c {{ {numbers} }} }}"
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.raw_query(query, "text/csv", timeout=0.3)
    assert time.monotonic() - start < 2
    capped = store.raw_query(query, "text/csv", row_limit=5, timeout=5)
    assert capped.truncated and len(capped.body.decode().splitlines()) == 6


# --- clients --------------------------------------------------------------------------

def test_raw_http_client(server):
    parts = urlsplit(server)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/sparql?query=" + quote(AGENCY_QUERY),
                 headers={"Accept": "text/tab-separated-values;q=0.9, text/csv"})
    response = conn.getresponse()
    body = response.read().decode()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/csv")
    assert body.splitlines() == ["label", "北京市司法局"]
    conn.request("GET", "/sparql?query=" + quote("SELECT * WHERE {"))
    response = conn.getresponse()
    assert response.status == 400
    assert "syntax" in json.loads(response.read())["detail"]
    conn.close()


def test_raw_socket_post(server):
    parts = urlsplit(server)
    body = AGENCY_QUERY.encode()
    request = (f"POST /sparql HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: application/sparql-results+xml\r\n"
               f"Content-Type: application/sparql-query\r\nContent-Length: {len(body)}\r\n"
               "Connection: close\r\n\r\n").encode() + body
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"content-type: application/sparql-results+xml" in head.lower()
    assert [e.text for e in ET.fromstring(payload).iter(f"{RES}literal")] == ["北京市司法局"]


def wrapper(url: str, fmt, query: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(url + "/sparql")
    sparql.setReturnFormat(fmt)
    sparql.setQuery(query)
    return sparql


def test_sparqlwrapper_select_formats(server):
    data = wrapper(server, JSON, AGENCY_QUERY).query().convert()
    assert data["results"]["bindings"][0]["label"]["value"] == "北京市司法局"
    doc = wrapper(server, XML, AGENCY_QUERY).query().convert()
    assert doc.getElementsByTagName("literal")[0].firstChild.data == "北京市司法局"
    text = wrapper(server, CSV, AGENCY_QUERY).query().convert().decode()
    assert text.splitlines()[1] == "北京市司法局"
    sparql = wrapper(server, JSON, AGENCY_QUERY)
    sparql.setMethod(POST)
    assert sparql.query().convert()["results"]["bindings"][0]["label"]["value"] == "北京市司法局"


def test_sparqlwrapper_construct_and_ask(server):
    graph = wrapper(server, TURTLE, AGENCY_CONSTRUCT).query().convert()
    graph = Graph().parse(data=graph, format="turtle") if isinstance(graph, bytes) else graph
    assert len(graph) == len(list(report_graphs()[GRAPH].triples((AGENCY, None, None))))
    graph = wrapper(server, XML, AGENCY_CONSTRUCT).query().convert()  # RDF/XML, parsed by rdflib
    assert isinstance(graph, Graph) and (AGENCY, None, None) in graph
    ask = wrapper(server, JSON, f"ASK {{ GRAPH ?g {{ <{AGENCY}> ?p ?o }} }}").query().convert()
    assert ask["boolean"] is True


def test_sparqlwrapper_errors_and_update(server, store):
    with pytest.raises(QueryBadFormed):
        wrapper(server, JSON, "SELECT * WHERE { ?s ").query()
    sparql = wrapper(server, JSON, INSERT)
    sparql.setMethod(POST)
    with pytest.raises(SPARQLWrapperException):
        sparql.query()  # no token
    sparql.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    sparql.query()
    assert "urn:test:update" in store.graphs()
    store.drop_graph("urn:test:update")
