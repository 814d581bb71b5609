"""The default graph is the union of the report graphs: a query without GRAPH sees every
report (embedded store, /sparql, rdflib's SPARQLStore), while GRAPH ?g, FROM, FROM NAMED and
default-graph-uri keep working as SPARQL says."""
from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from api.app import create_app

from .api_fixtures import AGENCY, GRAPH, OTHER_GRAPH, module_store, serve

JSON = {"Accept": "application/sparql-results+json"}
COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def number(data: dict) -> int:
    return int(data["results"]["bindings"][0]["n"]["value"])


store = module_store("union")


@pytest.fixture(scope="module")
def url(store):
    with serve(create_app(store)) as url:
        yield url


def test_the_embedded_default_graph_is_every_report(store):
    total = number(store.select(COUNT_NAMED))
    assert total > 0
    assert number(store.select(COUNT_DEFAULT)) == total  # no triple lives outside a report graph


def test_from_and_from_named_still_choose_the_dataset(store):
    one = number(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"))
    assert number(store.select(f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}> WHERE {{ ?s ?p ?o }}")) == one
    named = store.select(f"SELECT DISTINCT ?g FROM NAMED <{OTHER_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [str(OTHER_GRAPH)]
    # a string or a comment that says FROM changes nothing
    assert number(store.select('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != "FROM") } # FROM')) > one


def test_sparql_endpoint_answers_without_graph(url, store):
    with httpx.Client(base_url=url, timeout=30) as client:
        total = number(client.get("/sparql", params={"query": COUNT_DEFAULT}, headers=JSON).json())
        assert total == number(store.select(COUNT_NAMED))
        described = client.get("/sparql", params={"query": f"DESCRIBE <{AGENCY}>"},
                               headers={"Accept": "application/n-triples"})
        assert described.status_code == 200 and f"<{AGENCY}>" in described.text
        dataset = client.get("/sparql", params={"query": COUNT_DEFAULT, "default-graph-uri": str(GRAPH)},
                             headers=JSON)
        one = number(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"))
        assert number(dataset.json()) == one


def test_rdflib_sparqlstore_sees_the_graph(url):
    graph = Graph(store=SPARQLStore(url + "/sparql", returnFormat="json"))
    labels = list(graph.objects(URIRef(str(AGENCY)), URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert labels
    assert len(graph) > 0


def test_the_service_description_says_the_default_graph_is_the_union(url):
    from rdflib.namespace import RDF

    sd = "http://www.w3.org/ns/sparql-service-description#"
    graph = Graph().parse(data=httpx.get(url + "/sparql", timeout=30).text, format="turtle")
    service = graph.value(predicate=RDF.type, object=URIRef(sd + "Service"))
    assert URIRef(sd + "UnionDefaultGraph") in set(graph.objects(service, URIRef(sd + "feature")))
