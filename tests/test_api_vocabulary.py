"""A vocabulary you can see (issue 13, points 7 and 8): the ontology and the SKOS schemes in their
own named graph, dereferenced like every IRI, labels by language, and prefixes everywhere
(service description, Turtle, JSON-LD) — over real HTTP."""
from __future__ import annotations

import json
import shutil

import httpx
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from api.app import create_app
from kg.stats import store_stats
from kg.store import EmbeddedStore
from kg.graph.vocab import LEVEL, PKG, PREFIXES
from kg.graph.vocabulary import VOCABULARY_GRAPH, load_vocabulary, ontology_dir, stored_hash, vocabulary_hash

from .api_fixtures import AGENCY, CIVIL_CODE, TOKEN, load, make_store, serve, write_queries

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An app that opens its store itself with a token: it loads the vocabulary."""
    folder = tmp_path_factory.mktemp("vocab") / "store"
    with make_store(folder):
        pass
    app = create_app(str(folder), token=TOKEN, queries_dir=write_queries(tmp_path_factory.mktemp("q")))
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """An app over a store without the vocabulary (written by an older version, served as is)."""
    store = make_store(tmp_path_factory.mktemp("bare") / "store")
    with serve(create_app(store, queries_dir=write_queries(tmp_path_factory.mktemp("q2")))) as url, \
            httpx.Client(base_url=url, timeout=30) as client:
        yield client, store
    store.close()


def test_vocabulary_loads_once_and_again_when_the_files_change(tmp_path):
    folder = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), folder)
    with EmbeddedStore(tmp_path / "store") as store:
        load(store)
        before = store_stats(store)
        assert load_vocabulary(store, folder) is True
        assert VOCABULARY_GRAPH in store.graphs() and stored_hash(store) == vocabulary_hash(folder)
        assert load_vocabulary(store, folder) is False  # idempotent: the same files, nothing written
        assert store_stats(store) == before  # reports, graphs and triples of the reports only
        schemes = folder / "schemes.ttl"
        schemes.write_text(schemes.read_text(encoding="utf-8").replace('"Law"@en', '"Statute"@en'), encoding="utf-8")
        assert load_vocabulary(store, folder) is True
        found = store.select(f'ASK {{ GRAPH <{VOCABULARY_GRAPH}> {{ <{LEVEL.law}> ?p "Statute"@en }} }}')
        assert found["boolean"] is True
        gone = store.select(f'ASK {{ GRAPH <{VOCABULARY_GRAPH}> {{ <{LEVEL.law}> ?p "Law"@en }} }}')
        assert gone["boolean"] is False  # replaced, not added to


def test_ontology_and_concepts_dereference(served):
    ontology = served.get("/ontology", headers={"Accept": BROWSER})
    assert ontology.status_code == 200 and ontology.headers["content-type"].startswith("text/html")
    assert "policy-kg" in ontology.text and '<tr id="Report">' in ontology.text  # /ontology#Report lands
    assert "工作承诺" in ontology.text and "Commitment" in served.get("/ontology?lang=en").text
    turtle = served.get("/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (PKG.Report, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
    assert (LEVEL.law, SKOS.prefLabel, Literal("Law", lang="en")) in graph
    law = served.get("/scheme/level/law", headers={"Accept": "text/turtle"})
    assert law.status_code == 200
    assert (LEVEL.law, SKOS.prefLabel, Literal("法律", lang="zh")) in Graph().parse(data=law.text, format="turtle")
    page = served.get("/scheme/level/law", headers={"Accept": BROWSER})
    assert "<title>法律 · policy-kg</title>" in page.text
    assert "中华人民共和国民法典" in page.text  # incoming: the documents at this level, from the store
    assert served.get("/graph/vocabulary", headers={"Accept": BROWSER}).status_code == 200
    assert served.get("/scheme/level/no-such-level").status_code == 404


def test_labels_follow_the_language(served):
    assert "<title>Law · policy-kg</title>" in served.get("/scheme/level/law?lang=en").text
    page = served.get("/scheme/level/law", headers={"Accept": BROWSER, "Accept-Language": "en-GB,en;q=0.9"})
    assert "<title>Law · policy-kg</title>" in page.text and page.headers["content-language"] == "en"
    assert '<html lang="zh">' in served.get("/scheme/level/law").text  # Chinese by default
    docs = served.get("/documents").json()["items"]
    assert {d["level"]["label"] for d in docs} >= {"法律"}
    english = served.get("/documents", params={"lang": "en"}).json()["items"]
    assert {d["level"]["label"] for d in english} >= {"Law", "Policy document"}
    by_header = served.get("/documents", headers={"Accept-Language": "en"})
    assert [d["level"] for d in by_header.json()["items"]] == [d["level"] for d in english]
    assert by_header.headers["content-language"] == "en" and "Accept-Language" in by_header.headers["vary"]
    agency = served.get("/agencies/" + str(AGENCY).rsplit("/", 1)[-1], params={"lang": "en"}).json()
    assert agency["adminLevel"]["label"] == "Provincial"
    refused = served.get("/documents", params={"lang": "fr"})
    assert refused.status_code == 422 and "'zh' or 'en'" in refused.text


def test_search_finds_the_english_labels(served):
    found = served.get("/search", params={"q": "local regulation"}).json()["items"]
    assert str(LEVEL["local-regulation"]) in {i["iri"] for i in found}
    item = next(i for i in found if i["iri"] == str(LEVEL["local-regulation"]))
    assert item["page"].endswith("/scheme/level/local-regulation")
    classes = served.get("/search", params={"q": "commitment"}).json()["items"]
    assert str(PKG.Commitment) in {i["iri"] for i in classes}


def test_contract_view_of_the_union_is_not_distorted(served):
    """The vocabulary graph holds no reports and no instances of the data classes."""
    query = ("PREFIX pkg: <https://w3id.org/policy-kg/ontology#> SELECT (COUNT(DISTINCT ?r) AS ?n) "
             "WHERE { ?r a pkg:Report }")
    answer = served.get("/sparql", params={"query": query}).json()
    assert answer["results"]["bindings"][0]["n"]["value"] == "2"
    agencies = served.get("/agencies").json()
    assert {a["iri"] for a in agencies["items"]} == {str(AGENCY)}


def test_vocabulary_served_from_the_files_when_the_store_has_none(bare):
    client, store = bare
    assert VOCABULARY_GRAPH not in store.graphs()
    assert client.get("/scheme/level/law").status_code == 200
    assert client.get("/ontology", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/graph/vocabulary", headers={"Accept": "application/n-triples"}).status_code == 200
    english = client.get("/documents", params={"lang": "en"}).json()["items"]
    assert "Law" in {d["level"]["label"] for d in english}


def test_service_description_declares_the_prefixes(served):
    response = served.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    declared = {str(p): str(ns) for d in graph.objects(None, SH.declare)
                for p in graph.objects(d, SH.prefix) for ns in graph.objects(d, SH.namespace)}
    assert declared == PREFIXES
    names = set(graph.objects(None, SD.name))
    assert URIRef(VOCABULARY_GRAPH) in names


def test_get_sparql_gives_a_browser_the_editor(served):
    page = served.get("/sparql", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="query"' in page.text and "script-src 'sha256-" in page.headers["content-security-policy"]
    for accept in (None, "text/turtle", "*/*", "application/rdf+xml"):
        headers = {"Accept": accept} if accept else {}
        answer = served.get("/sparql", headers=headers)
        assert not answer.headers["content-type"].startswith("text/html"), accept
        Graph().parse(data=answer.text, format="xml" if accept == "application/rdf+xml" else "turtle")


def test_turtle_answers_use_the_prefixes(served):
    path = "/id/" + str(AGENCY).split("/id/", 1)[1]
    turtle = served.get(path, headers={"Accept": "text/turtle"}).text
    assert "@prefix pkg: <https://w3id.org/policy-kg/ontology#> ." in turtle and "rdfs:label" in turtle
    query = f"CONSTRUCT {{ <{CIVIL_CODE}> ?p ?o }} WHERE {{ GRAPH ?g {{ <{CIVIL_CODE}> ?p ?o }} }}"
    answer = served.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"}).text
    assert "@prefix eli: <http://data.europa.eu/eli/ontology#> ." in answer and "eli:type_document level:law" in answer
    nt = served.get("/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}).text
    assert set(Graph().parse(data=answer, format="turtle")) == set(Graph().parse(data=nt, format="nt"))


def test_jsonld_answers_are_compacted(served):
    path = "/id/" + str(AGENCY).split("/id/", 1)[1]
    body = served.get(path, headers={"Accept": "application/ld+json"}).json()
    assert body["@context"]["pkg"] == str(PKG) and body["@context"]["rdfs"] == PREFIXES["rdfs"]
    node = next(n for n in body["@graph"] if n["@id"] == "id:" + str(AGENCY).split("/id/", 1)[1])
    assert "rdfs:label" in node
    nt = served.get(path, headers={"Accept": "application/n-triples"}).text
    expanded = Graph().parse(data=json.dumps(body), format="json-ld")
    assert set(expanded) == set(Graph().parse(data=nt, format="nt"))
