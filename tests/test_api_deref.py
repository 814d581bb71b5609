"""Every minted IRI dereferences (issue 13, point 9): a store of the examples, walked over real HTTP;
the report graphs' IRIs answer too, and fact pages are titled with their label and show the
evidence sentence's text, linked."""
from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from api.app import create_app
from kg.ingest import ingest_paths
from kg.store import EmbeddedStore
from kg.graph.vocab import BASE, ID, PREFIXES, report_graph
from kg.graph.vocabulary import load_vocabulary

from .api_fixtures import serve
from .conftest import EXAMPLE_REPORTS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("deref") / "store")
    summary = ingest_paths([EXAMPLES], store)
    assert summary.ok and len(summary.stored) == EXAMPLE_REPORTS
    load_vocabulary(store)
    with serve(create_app(store, row_limit=100000)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield store, client
    store.close()


def path_of(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/" + iri[len(BASE):].split("#", 1)[0]


def minted(store: EmbeddedStore) -> list[str]:
    """Every policy-kg IRI in the store: subjects, objects and graph names."""
    rows = store.select(f"""SELECT DISTINCT ?x WHERE {{
        {{ GRAPH ?g {{ ?x ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p ?x }} }} UNION {{ GRAPH ?x {{ ?s ?p ?o }} }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }}""")
    return sorted(b["x"]["value"] for b in rows["results"]["bindings"])


def test_every_minted_iri_dereferences(examples):
    store, client = examples
    iris = minted(store)
    kinds = Counter(iri[len(str(ID)):].split("/")[0] if iri.startswith(str(ID)) else "vocabulary" for iri in iris)
    assert {"report", "agency", "document", "region", "graph", "vocabulary"} <= set(kinds)
    assert len(iris) > 200
    failed = []
    for iri in iris:
        response = client.get(path_of(iri), headers={"Accept": "application/n-triples"})
        if response.status_code != 200:
            failed.append((iri, response.status_code))
    assert not failed, f"{len(failed)} of {len(iris)} IRIs do not dereference, e.g. {failed[:5]}"
    # one of each kind also as a page for people
    seen = set()
    for iri in iris:
        kind = iri.split("/id/", 1)[-1].split("/")[0] if "/id/" in iri else iri.split("/")[-2]
        if kind not in seen:
            seen.add(kind)
            assert client.get(path_of(iri), headers={"Accept": "text/html"}).status_code == 200, iri


def test_a_report_graph_dereferences(examples):
    store, client = examples
    graph = str(report_graph("haibin-sfj-2025"))
    path = path_of(graph)
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    count = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    triples = count["results"]["bindings"][0]["n"]["value"]
    assert f'<p id="graph-size">{triples} triples' in page.text
    assert "/id/report/haibin-sfj-2025" in page.text  # links to its report
    nt = client.get(path, headers={"Accept": "application/n-triples"})
    assert len(Graph().parse(data=nt.text, format="nt")) == int(triples)
    assert client.get("/id/graph/no-such-report").status_code == 404


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.title, self.links, self._in, self._href = "", [], None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self._in = tag
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "h1":
            self.title += data
        if self._in == "a" and self._href:
            self.links.append((self._href, data))


def one(store: EmbeddedStore, query: str) -> dict[str, str]:
    rows = store.select(PROLOGUE + query)["results"]["bindings"]
    assert rows, query
    return {k: v["value"] for k, v in rows[0].items()}


@pytest.mark.parametrize("kind", ["Target", "Metric", "Action"])
def test_fact_pages_are_titled_with_a_label_and_show_the_evidence(examples, kind):
    store, client = examples
    fact = one(store, f"""SELECT ?x ?text ?sentence ?indicator ?docLabel WHERE {{ GRAPH ?g {{
        ?x a pkg:{kind} ; pkg:evidence ?sentence . ?sentence nif:anchorOf ?text
        OPTIONAL {{ ?x pkg:indicator ?indicator }} OPTIONAL {{ ?x prov:used ?doc . ?doc rdfs:label ?docLabel }} }} }}
        ORDER BY ?x LIMIT 1""")
    page = Page(client.get(path_of(fact["x"]), headers={"Accept": "text/html"}).text)
    assert not page.title.startswith("https://"), page.title
    if kind == "Action":
        assert fact["docLabel"] in page.title
    else:
        assert page.title == fact["indicator"][:80]
    sentence_href = next(href for href, text in page.links if href.endswith(path_of(fact["sentence"])))
    texts = [text for href, text in page.links if href == sentence_href]
    assert any(fact["text"][:20] in text for text in texts)  # the sentence's text, not its IRI
