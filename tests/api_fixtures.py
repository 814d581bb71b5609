"""Shared helpers for the API tests: a hand-made dataset, test query files, and real servers.

Test modules import it as ``from .api_fixtures import ...``; it is not a conftest: the
fixtures themselves are defined in the test modules.
"""
from __future__ import annotations

import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import uvicorn
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.store import EmbeddedStore, Store

from .oxigraph_server import oxigraph_binary, oxigraph_server  # noqa: F401 - re-exported for the API tests
from kg.graph.vocab import (ACTION, ADMIN, ELI, LEVEL, NIF, PKG, ROLE, entity_iri, fact_iri,
                      report_graph, report_iri)

ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = Path(oxigraph_binary() or ROOT / ".venv" / "bin" / "oxigraph")
TOKEN = "test-token-123"

REPORT_ID = "bj-sfj-2023"
OTHER_ID = "sh-sfj-2023"
GRAPH = report_graph(REPORT_ID)
OTHER_GRAPH = report_graph(OTHER_ID)
REPORT = report_iri(REPORT_ID)
OTHER_REPORT = report_iri(OTHER_ID)
AGENCY = entity_iri("agency", "北京市司法局")
REGION = entity_iri("region", "北京市")
CIVIL_CODE = entity_iri("document", "中华人民共和国民法典")
OUTLINE = entity_iri("document", "法治政府建设实施纲要（2021－2025年）")
SENTENCE_TEXT = "全年组织学习《中华人民共和国民法典》，确保法治宣传覆盖率达到95%以上。"
SENTENCE = fact_iri(REPORT_ID, "sentence", 0, SENTENCE_TEXT)
ACTION_NODE = fact_iri(REPORT_ID, "action", "study", str(CIVIL_CODE))
TARGET = fact_iri(REPORT_ID, "target", "法治宣传覆盖率", 2024)


def last(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[-1]


def report_graphs() -> dict[URIRef, Graph]:
    """Two report graphs following docs/model.md: the first holds a report, an agency, a
    region, two documents with levels, one Action, one Target and one sentence."""
    g = Graph()
    zh = lambda text: Literal(text, lang="zh")  # noqa: E731
    g.add((REPORT, RDF.type, PKG.Report))
    g.add((REPORT, DCTERMS.identifier, Literal(REPORT_ID)))
    g.add((REPORT, DCTERMS.title, zh("北京市司法局2023年法治政府建设年度报告")))
    g.add((REPORT, RDFS.label, zh("北京市司法局2023年法治政府建设年度报告")))
    g.add((REPORT, DCTERMS.creator, AGENCY))
    g.add((REPORT, PKG.year, Literal(2023, datatype=XSD.integer)))
    g.add((REPORT, PKG.jurisdiction, REGION))
    g.add((REPORT, DCTERMS.source, URIRef("https://sfj.beijing.gov.cn/report-2023.html")))
    g.add((REPORT, PKG.sourceFile, Literal("bj-sfj-2023.txt")))
    g.add((REPORT, PKG.contentHash, Literal("0123456789abcdef")))

    g.add((REGION, RDF.type, PKG.Region))
    g.add((REGION, RDFS.label, zh("北京市")))
    g.add((REGION, PKG.adminLevel, ADMIN.provincial))

    g.add((AGENCY, RDF.type, PKG.Agency))
    g.add((AGENCY, RDFS.label, zh("北京市司法局")))
    g.add((AGENCY, SKOS.altLabel, zh("市司法局")))
    g.add((AGENCY, PKG.jurisdiction, REGION))
    g.add((AGENCY, PKG.adminLevel, ADMIN.provincial))

    g.add((CIVIL_CODE, RDF.type, PKG.Document))
    g.add((CIVIL_CODE, RDF.type, ELI.LegalResource))
    g.add((CIVIL_CODE, RDFS.label, zh("中华人民共和国民法典")))
    g.add((CIVIL_CODE, DCTERMS.title, zh("中华人民共和国民法典")))
    g.add((CIVIL_CODE, SKOS.altLabel, zh("民法典")))
    g.add((CIVIL_CODE, ELI.type_document, LEVEL.law))
    g.add((OUTLINE, RDF.type, PKG.Document))
    g.add((OUTLINE, RDFS.label, zh("法治政府建设实施纲要（2021－2025年）")))
    g.add((OUTLINE, DCTERMS.title, zh("法治政府建设实施纲要（2021－2025年）")))
    g.add((OUTLINE, ELI.type_document, LEVEL["policy-document"]))
    g.add((OUTLINE, ELI.ensures_implementation_of, CIVIL_CODE))

    g.add((SENTENCE, RDF.type, NIF.Sentence))
    g.add((SENTENCE, DCTERMS.isPartOf, REPORT))
    g.add((SENTENCE, NIF.anchorOf, Literal(SENTENCE_TEXT)))
    g.add((SENTENCE, NIF.beginIndex, Literal(0, datatype=XSD.integer)))
    g.add((SENTENCE, NIF.endIndex, Literal(len(SENTENCE_TEXT), datatype=XSD.integer)))
    g.add((SENTENCE, PKG.sectionRole, ROLE.review))

    g.add((ACTION_NODE, RDF.type, PKG.Action))
    g.add((ACTION_NODE, PKG.actionType, ACTION.study))
    g.add((ACTION_NODE, PROV.wasAssociatedWith, AGENCY))
    g.add((ACTION_NODE, PROV.used, CIVIL_CODE))
    g.add((ACTION_NODE, PKG.year, Literal(2023, datatype=XSD.integer)))
    g.add((ACTION_NODE, PKG.evidence, SENTENCE))
    g.add((ACTION_NODE, NIF.beginIndex, Literal(2, datatype=XSD.integer)))
    g.add((ACTION_NODE, NIF.endIndex, Literal(17, datatype=XSD.integer)))
    g.add((ACTION_NODE, NIF.anchorOf, Literal("组织学习《中华人民共和国民法典》")))

    g.add((TARGET, RDF.type, PKG.Target))
    g.add((TARGET, PKG.indicator, zh("法治宣传覆盖率")))
    g.add((TARGET, PKG.value, Literal(Decimal("95"), datatype=XSD.decimal)))
    g.add((TARGET, PKG.unit, Literal("%")))
    g.add((TARGET, PKG.comparator, Literal("at-least")))
    g.add((TARGET, PKG.year, Literal(2024, datatype=XSD.integer)))
    g.add((TARGET, PROV.wasAttributedTo, AGENCY))
    g.add((TARGET, PKG.evidence, SENTENCE))
    g.add((TARGET, NIF.beginIndex, Literal(20, datatype=XSD.integer)))
    g.add((TARGET, NIF.endIndex, Literal(34, datatype=XSD.integer)))
    g.add((TARGET, NIF.anchorOf, Literal("法治宣传覆盖率达到95%以上")))

    # A second report that cites the same law: one node, two graphs.
    o = Graph()
    o.add((OTHER_REPORT, RDF.type, PKG.Report))
    o.add((OTHER_REPORT, RDFS.label, zh("上海市司法局2023年法治政府建设年度报告")))
    o.add((OTHER_REPORT, PKG.year, Literal(2023, datatype=XSD.integer)))
    o.add((CIVIL_CODE, RDF.type, PKG.Document))
    o.add((CIVIL_CODE, RDFS.label, zh("中华人民共和国民法典")))
    o.add((CIVIL_CODE, ELI.type_document, LEVEL.law))
    return {GRAPH: g, OTHER_GRAPH: o}


def load(store: Store) -> None:
    for iri, graph in report_graphs().items():
        store.replace_graph(str(iri), graph)


def triple_count(store: Store) -> int:
    data = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(data["results"]["bindings"][0]["n"]["value"])


PREFIXES = """PREFIX pkg: <https://w3id.org/policy-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""

QUERY_FILES = {
    "targets": """#+ summary: Quantified targets with their year.
#+ description: One row per target.
#+ param: year integer optional  The year planned for.
#+ param: value decimal optional  The target value.
""" + PREFIXES + """SELECT ?target ?indicator ?value ?year WHERE {
  GRAPH ?g { ?target a pkg:Target ; pkg:indicator ?indicator ; pkg:value ?value ; pkg:year ?year }
} ORDER BY ?target
""",
    "agency_by_name": """#+ summary: Find an agency by its Chinese name.
#+ param: name zh required  The agency's name, e.g. 北京市司法局.
""" + PREFIXES + """SELECT ?agency WHERE { GRAPH ?g { ?agency a pkg:Agency ; rdfs:label ?name } }
""",
    "sentences": """#+ summary: Evidence sentences with a given text.
#+ param: text string optional  The exact sentence text.
""" + PREFIXES + """SELECT ?sentence ?text WHERE { GRAPH ?g { ?sentence a nif:Sentence ; nif:anchorOf ?text } }
""",
    "actions": """#+ summary: Who did what with which document.
#+ param: doc iri optional  The document's IRI.
""" + PREFIXES + """SELECT ?action ?agency ?doc WHERE {
  GRAPH ?g { ?action a pkg:Action ; prov:wasAssociatedWith ?agency ; prov:used ?doc }
}
""",
    "describe_node": """#+ summary: The triples of one node.
#+ param: node iri required  The node's IRI.
""" + PREFIXES + """CONSTRUCT { ?node ?p ?o } WHERE { GRAPH ?g { ?node ?p ?o } }
""",
}


def write_queries(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in QUERY_FILES.items():
        (folder / f"{name}.rq").write_text(text, encoding="utf-8")
    return folder


def make_store(folder: Path) -> EmbeddedStore:
    store = EmbeddedStore(folder)
    load(store)
    return store


def module_store(name: str):
    """A module-scoped ``store`` fixture: :func:`make_store` in a folder of its own (``name``),
    closed when the module's tests are done. In a test module: ``store = module_store("pages")``."""
    @pytest.fixture(scope="module")
    def store(tmp_path_factory):
        db = make_store(tmp_path_factory.mktemp(name) / "store")
        yield db
        db.close()
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app, **config) -> Iterator[str]:
    """Run ``app`` under a real uvicorn on 127.0.0.1 in a thread; yield its base URL.
    ``config``: more uvicorn.Config settings (log_level, timeout_keep_alive …)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           **{"log_level": "warning", "lifespan": "on", **config}))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)




def wait_for_server(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    """Wait until a `kg serve` subprocess answers /queries (AssertionError if it ends or is slow)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url + "/queries", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, f"kg serve exited with {proc.returncode}"
        assert time.monotonic() < deadline, f"kg serve did not answer within {timeout:g} s"
        time.sleep(0.2)


@contextmanager
def listener():
    """A TCP socket listening on a free loopback port, for tests that check nobody connects to
    it: yields (socket, port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.5)
    try:
        yield sock, sock.getsockname()[1]
    finally:
        sock.close()
