"""Gephi-ready exports (kg/export.py): GEXF 1.3 / 1.2draft, GraphML and the CSV pair.

Two datasets: a small graph built here by hand (three reports, 2022-2024, two regions one
within the other), so the suite covers the exports without ../shared, and the shared corpus
ingested into a temporary store (skipped when ../shared/corpus is absent). Every GEXF is
validated against the official XSDs in ../shared/reference/gexf (skipped when absent), read
back with networkx, and parsed with graphology-gexf, the parser Gephi Lite uses (installed
with npm into tests/.node/; skipped when node/npm are missing or the install fails).
"""
from __future__ import annotations

import io

import csv
import json
import os
import shutil
import subprocess
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rns

from kg.export import (EDGE_DEFAULTS, FORMATS, KIND_COLORS, KINDS, NODE_DEFAULTS, OPTIONAL_NUMBERS, VIEWS,
                       VIZ_KEYS, Filters, build_network, export, write_export)
from kg.store import EmbeddedStore, RemoteStore
from kg.graph.vocab import (ACTION, ACTIONS, ADMIN, ELI, LEVEL, NIF, ORG, PKG, entity_iri, fact_iri, report_graph,
                      report_iri)

from .api_fixtures import OXIGRAPH, oxigraph_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")
# Closed rdflib namespaces warn when pytest probes module globals: keep them in the module alias.
DCTERMS, PROV, RDF, RDFS, SKOS = rns.DCTERMS, rns.PROV, rns.RDF, rns.RDFS, rns.SKOS

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHARED = Path(os.environ.get("POLICY_KG_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
CORPUS = SHARED / "corpus"
XSD_DIR = SHARED / "reference" / "gexf"
NODE_DIR = TESTS / ".node"  # npm cache of graphology + graphology-gexf (not committed)
NPM_PACKAGES = ("graphology@^0.26.0", "graphology-gexf@^0.13.2")
GEXF_NS = {"1.3": "http://gexf.net/1.3", "1.2draft": "http://www.gexf.net/1.2draft"}
VERSION_OF = {"gexf": "1.3", "gexf1.2": "1.2draft"}

# -- the hand-made dataset ----------------------------------------------------------------

# Node ids in the exported networks are plain strings: keep the IRIs as str (a URIRef does
# not hash like the equal str).
BJ, CY, CN = (str(entity_iri("region", name)) for name in ("北京市", "朝阳区", "中华人民共和国"))
BJ_SFJ = str(entity_iri("agency", "北京市司法局"))
CY_SFJ = str(entity_iri("agency", "朝阳区司法局"))
STATE_COUNCIL = str(entity_iri("agency", "国务院"))
LAWYERS = str(entity_iri("agency", "北京市律师协会"))
CIVIL_CODE = str(entity_iri("document", "中华人民共和国民法典"))
OUTLINE = str(entity_iri("document", "法治政府建设实施纲要（2021－2025年）"))
REGULATION = str(entity_iri("document", "北京市法治宣传教育条例"))
WEEK = str(entity_iri("initiative", "法治宣传周"))
REPORTS = {"bj-sfj-2022": 2022, "bj-sfj-2023": 2023, "cy-sfj-2024": 2024}
TARGET = str(fact_iri("bj-sfj-2022", "target", "法治宣传覆盖率", 2023))
METRIC = str(fact_iri("bj-sfj-2023", "metric", "调解案件", 2023))


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


class Report:
    """One report graph following docs/model.md, with small helpers to add what it says."""

    def __init__(self, report_id: str, creator: URIRef, region: URIRef):
        self.id, self.year = report_id, REPORTS[report_id]
        self.iri, self.g, self.n = report_iri(report_id), Graph(), 0
        g = self
        g.add((self.iri, RDF.type, PKG.Report))
        g.add((self.iri, DCTERMS.identifier, Literal(report_id)))
        g.add((self.iri, RDFS.label, zh(f"{report_id} 年度报告")))
        g.add((self.iri, DCTERMS.title, zh(f"{report_id} 年度报告")))
        g.add((self.iri, DCTERMS.creator, creator))
        g.add((self.iri, PKG.year, Literal(self.year, datatype=rns.XSD.integer)))
        g.add((self.iri, PKG.jurisdiction, region))
        g.add((self.iri, PKG.sourceFile, Literal(f"{report_id}.txt")))
        g.add((self.iri, PKG.contentHash, Literal("0" * 16)))

    def add(self, triple: tuple) -> None:
        self.g.add(tuple(URIRef(term) if type(term) is str else term for term in triple))

    def sentence(self, text: str) -> URIRef:
        self.n += 1
        s = fact_iri(self.id, "sentence", self.n, text)
        for p, o in ((RDF.type, NIF.Sentence), (DCTERMS.isPartOf, self.iri), (NIF.anchorOf, Literal(text)),
                     (NIF.beginIndex, Literal(self.n * 100, datatype=rns.XSD.nonNegativeInteger)),
                     (NIF.endIndex, Literal(self.n * 100 + len(text), datatype=rns.XSD.nonNegativeInteger)),
                     (PKG.section, Literal("一、工作总结"))):
            self.add((s, p, o))
        return s

    def span(self, node: URIRef, sentence: URIRef, text: str) -> None:
        self.add((node, PKG.evidence, sentence))
        self.add((node, NIF.beginIndex, Literal(self.n * 100, datatype=rns.XSD.nonNegativeInteger)))
        self.add((node, NIF.endIndex, Literal(self.n * 100 + len(text), datatype=rns.XSD.nonNegativeInteger)))
        self.add((node, NIF.anchorOf, Literal(text)))

    def mention(self, node: URIRef, sentence: URIRef, text: str) -> None:
        m = fact_iri(self.id, "mention", str(node), str(sentence))
        self.add((m, RDF.type, PKG.Mention))
        self.add((m, PKG.refersTo, node))
        self.span(m, sentence, text)

    def region(self, iri: URIRef, label: str, level: str, part_of: URIRef | None = None) -> None:
        self.add((iri, RDF.type, PKG.Region))
        self.add((iri, RDFS.label, zh(label)))
        self.add((iri, PKG.adminLevel, ADMIN[level]))
        if part_of is not None:
            self.add((iri, PKG.partOf, part_of))

    def agency(self, iri: URIRef, label: str, level: str, region: URIRef | None, org: bool = False,
               alt: tuple[str, ...] = ()) -> None:
        self.add((iri, RDF.type, ORG.Organization if org else PKG.Agency))
        self.add((iri, RDFS.label, zh(label)))
        self.add((iri, PKG.adminLevel, ADMIN[level]))
        for name in alt:
            self.add((iri, SKOS.altLabel, zh(name)))
        if region is not None:
            self.add((iri, PKG.jurisdiction, region))

    def document(self, iri: URIRef, title: str, level: str) -> None:
        self.add((iri, RDF.type, PKG.Document))
        if level in ("law", "local-regulation"):
            self.add((iri, RDF.type, ELI.LegalResource))
        self.add((iri, RDFS.label, zh(title)))
        self.add((iri, DCTERMS.title, zh(title)))
        self.add((iri, ELI.type_document, LEVEL[level]))

    def action(self, kind: str, agency: URIRef, document: URIRef, sentence: URIRef) -> None:
        a = fact_iri(self.id, "action", kind, str(agency), str(document))
        for p, o in ((RDF.type, PKG.Action), (PKG.actionType, ACTION[kind]), (PROV.wasAssociatedWith, agency),
                     (PROV.used, document), (PKG.year, Literal(self.year, datatype=rns.XSD.integer))):
            self.add((a, p, o))
        self.span(a, sentence, ACTIONS[kind])

    def initiative(self, iri: URIRef, label: str, agency: URIRef, sentence: URIRef) -> None:
        self.add((iri, RDF.type, PKG.Initiative))
        self.add((iri, RDFS.label, zh(label)))
        self.add((iri, PROV.wasAttributedTo, agency))
        self.mention(iri, sentence, label)


def hand_graphs() -> dict[URIRef, Graph]:
    # 2022, 北京市: the city bureau studies the civil code; a policy outline implements it.
    a = Report("bj-sfj-2022", BJ_SFJ, BJ)
    a.region(BJ, "北京市", "provincial")
    a.agency(BJ_SFJ, "北京市司法局", "provincial", BJ, alt=("市司法局",))
    a.document(CIVIL_CODE, "中华人民共和国民法典", "law")
    a.document(OUTLINE, "法治政府建设实施纲要（2021－2025年）", "policy-document")
    a.add((OUTLINE, ELI.ensures_implementation_of, CIVIL_CODE))
    s1 = a.sentence("市司法局组织学习《中华人民共和国民法典》，开展法治宣传周活动。")
    a.mention(BJ_SFJ, s1, "市司法局")
    a.mention(CIVIL_CODE, s1, "《中华人民共和国民法典》")
    a.action("study", BJ_SFJ, CIVIL_CODE, s1)
    a.initiative(WEEK, "法治宣传周", BJ_SFJ, s1)
    s2 = a.sentence("2023年法治宣传覆盖率\x01达到95%以上。")  # a control character, as in converted PDFs
    for p, o in ((RDF.type, PKG.Target), (PKG.indicator, zh("法治宣传覆盖率")),
                 (PKG.value, Literal(Decimal("95"), datatype=rns.XSD.decimal)), (PKG.unit, Literal("%")),
                 (PKG.comparator, Literal("at-least")), (PKG.year, Literal(2023, datatype=rns.XSD.integer)),
                 (PROV.wasAttributedTo, BJ_SFJ)):
        a.add((TARGET, p, o))
    a.span(TARGET, s2, "法治宣传覆盖率达到95%以上")

    # 2023, 北京市: the same study again (weight 2), publicising it, a bar association, a metric.
    b = Report("bj-sfj-2023", BJ_SFJ, BJ)
    b.region(BJ, "北京市", "provincial")
    b.agency(BJ_SFJ, "北京市司法局", "provincial", BJ, alt=("市司法局",))
    b.agency(LAWYERS, "北京市律师协会", "other", None, org=True)
    b.document(CIVIL_CODE, "中华人民共和国民法典", "law")
    s3 = b.sentence("市司法局持续学习宣传《中华人民共和国民法典》，市律师协会参与调解案件1.2万件。")
    b.mention(BJ_SFJ, s3, "市司法局")
    b.mention(LAWYERS, s3, "市律师协会")
    b.mention(CIVIL_CODE, s3, "《中华人民共和国民法典》")
    b.action("study", BJ_SFJ, CIVIL_CODE, s3)
    b.action("publicise", BJ_SFJ, CIVIL_CODE, s3)
    for p, o in ((RDF.type, PKG.Metric), (PKG.indicator, zh("调解案件")),
                 (PKG.value, Literal(Decimal("12000"), datatype=rns.XSD.decimal)), (PKG.unit, Literal("件")),
                 (PKG.year, Literal(2023, datatype=rns.XSD.integer)), (PROV.wasAttributedTo, LAWYERS)):
        b.add((METRIC, p, o))
    b.span(METRIC, s3, "调解案件1.2万件")

    # 2024, 朝阳区 (within 北京市): the district bureau implements the outline (issued by the
    # State Council); a local regulation references the civil code.
    c = Report("cy-sfj-2024", CY_SFJ, CY)
    c.region(BJ, "北京市", "provincial")
    c.region(CY, "朝阳区", "district", part_of=BJ)
    c.region(CN, "中华人民共和国", "national")
    c.agency(CY_SFJ, "朝阳区司法局", "district", CY)
    c.agency(BJ_SFJ, "北京市司法局", "provincial", BJ)
    c.add((CY_SFJ, ORG.subOrganizationOf, BJ_SFJ))
    c.agency(STATE_COUNCIL, "国务院", "national", CN)
    c.document(OUTLINE, "法治政府建设实施纲要（2021－2025年）", "policy-document")
    c.add((OUTLINE, ELI.passed_by, STATE_COUNCIL))
    c.document(REGULATION, "北京市法治宣传教育条例", "local-regulation")
    c.document(CIVIL_CODE, "中华人民共和国民法典", "law")
    c.add((REGULATION, DCTERMS.references, CIVIL_CODE))
    s4 = c.sentence("区司法局贯彻落实国务院印发的《法治政府建设实施纲要（2021－2025年）》。")
    c.mention(CY_SFJ, s4, "区司法局")
    c.mention(OUTLINE, s4, "《法治政府建设实施纲要（2021－2025年）》")
    c.action("implement", CY_SFJ, OUTLINE, s4)
    s5 = c.sentence("区司法局对照《北京市法治宣传教育条例》开展自查。")  # only cited: no action, no initiative
    c.mention(CY_SFJ, s5, "区司法局")
    c.mention(REGULATION, s5, "《北京市法治宣传教育条例》")
    return {report_graph(r.id): r.g for r in (a, b, c)}


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory):
    store = EmbeddedStore(tmp_path_factory.mktemp("export-hand") / "store")
    for iri, graph in hand_graphs().items():
        store.replace_graph(str(iri), graph)
    yield store
    store.close()


@pytest.fixture(scope="module")
def hand(hand_store) -> nx.MultiDiGraph:
    return build_network(hand_store)


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS}): corpus exports not tested")
    from kg.ingest import ingest_paths

    store = EmbeddedStore(tmp_path_factory.mktemp("export-corpus") / "store")
    summary = ingest_paths([CORPUS], store)
    failed = [o.error for o in summary.outcomes if o.error]
    assert not failed, failed
    yield store
    store.close()


def pick_store(request, name: str):
    return request.getfixturevalue("hand_store" if name == "hand" else "corpus_store")


@pytest.fixture(scope="session")
def schemas() -> dict[str, etree.XMLSchema]:
    found = {}
    for version in GEXF_NS:
        path = XSD_DIR / version / "gexf.xsd"
        if not path.is_file():
            pytest.skip(f"the official GEXF schema is absent ({path}): XSD validation not run")
        found[version] = etree.XMLSchema(etree.parse(str(path)))
    return found


@pytest.fixture(scope="session")
def graphology() -> Path:
    """node_modules with graphology and graphology-gexf (npm install into tests/.node/ once)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm not installed: graphology-gexf (Gephi Lite's parser) check not run")
    modules = NODE_DIR / "node_modules"
    if not (modules / "graphology-gexf" / "package.json").is_file() or not (modules / "graphology").is_dir():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        package = NODE_DIR / "package.json"
        if not package.is_file():
            package.write_text(json.dumps({"name": "policy-kg-test-node", "private": True}), encoding="utf-8")
        try:
            done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *NPM_PACKAGES],
                                  cwd=NODE_DIR, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as err:
            pytest.skip(f"npm install of graphology-gexf failed: {err}")
        if done.returncode != 0:
            pytest.skip(f"npm install of graphology-gexf failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return modules


PARSE_JS = """
const fs = require('fs');
const Graph = require('graphology');
const gexf = require('graphology-gexf');
const g = gexf.parse(Graph, fs.readFileSync(process.argv[2], 'utf-8'));
const nodes = {};
g.forEachNode((id, a) => { nodes[id] = a; });
const edges = [];
g.forEachEdge((id, a, s, t) => { edges.push({id, source: s, target: t, attributes: a}); });
console.log(JSON.stringify({order: g.order, size: g.size, type: g.type, multi: g.multi, nodes, edges}));
"""


def graphology_parse(modules: Path, path: Path, tmp_path: Path) -> dict:
    script = tmp_path / "parse-gexf.js"
    script.write_text(PARSE_JS, encoding="utf-8")
    done = subprocess.run([shutil.which("node"), str(script), str(path)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "NODE_PATH": str(modules)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# -- helpers ------------------------------------------------------------------------------

def kinds_of(graph: nx.Graph) -> set[str]:
    return {d["kind"] for _, d in graph.nodes(data=True)}


def edge_kinds(graph: nx.Graph) -> set[str]:
    return {d["kind"] for *_, d in graph.edges(data=True)}


def edge_triples(graph: nx.Graph) -> Counter:
    return Counter((u, v, d["kind"]) for u, v, d in graph.edges(data=True))


def spells_of(years: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for year in sorted(int(y) for y in years.split()):
        if out and year == out[-1][1] + 1:
            out[-1] = (out[-1][0], year)
        else:
            out.append((year, year))
    return out


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a == pytest.approx(b)
    return a == b


def assert_scalar_attributes(graph: nx.Graph) -> None:
    """One type per attribute name, no None, lists or dicts, every node/edge has every one
    but the unknown numbers (absent, never 0)."""
    for items, defaults in (([d for _, d in graph.nodes(data=True)], NODE_DEFAULTS),
                            ([d for *_, d in graph.edges(data=True)], EDGE_DEFAULTS)):
        types: dict[str, set[type]] = {}
        for data in items:
            assert set(defaults) - OPTIONAL_NUMBERS <= set(data) <= set(defaults), set(data) ^ set(defaults)
            for name, value in data.items():
                assert value is not None and not isinstance(value, (list, tuple, dict, set, bool)), (name, value)
                types.setdefault(name, set()).add(type(value))
        for name, found in types.items():
            assert found == {type(defaults[name])}, (name, found)


def export_all(graph: nx.MultiDiGraph, folder: Path) -> dict[str, list[Path]]:
    out = {}
    for fmt in FORMATS:
        target = folder / ("csv" if fmt == "csv" else f"net-{fmt}.{'graphml' if fmt == 'graphml' else 'gexf'}")
        out[fmt] = write_export(graph, fmt, target)
    return out


# -- building: views, filters, attributes -------------------------------------------------

def test_all_view_has_every_entity_and_no_provenance(hand):
    assert set(hand.nodes) == {BJ, CY, CN, BJ_SFJ, CY_SFJ, STATE_COUNCIL, LAWYERS, CIVIL_CODE, OUTLINE,
                               REGULATION, WEEK, TARGET, METRIC}
    assert kinds_of(hand) == set(KINDS)
    provenance = ("/mention/", "/sentence/", "/action/", "/commitment/")
    assert not [iri for iri in hand.nodes if any(part in iri for part in provenance)]
    assert not [iri for iri in hand.nodes if "/report/" in iri and iri not in (TARGET, METRIC)]
    assert edge_kinds(hand) == {"study", "publicise", "implement", "issue", "cites", "implements", "references",
                                "jurisdiction", "partOf", "subOrganizationOf", "initiative", "target", "metric"}
    assert hand.nodes[LAWYERS]["kind"] == "organisation"
    assert hand.nodes[CIVIL_CODE]["label"] == "中华人民共和国民法典"
    assert hand.nodes[CIVIL_CODE]["level"] == "law" and hand.nodes[CIVIL_CODE]["level_zh"] == "法律"
    assert hand.nodes[BJ_SFJ]["jurisdiction"] == "北京市" and hand.nodes[BJ_SFJ]["admin_level"] == "provincial"
    assert hand.nodes[BJ_SFJ]["alt_labels"] == "市司法局"
    assert hand.nodes[TARGET]["label"] == "法治宣传覆盖率 ≥95%" and hand.nodes[TARGET]["value"] == 95.0
    assert hand.nodes[TARGET]["fact_year"] == 2023 and hand.nodes[TARGET]["comparator"] == "at-least"
    assert hand.nodes[METRIC]["unit"] == "件" and hand.nodes[METRIC]["value"] == 12000.0
    # initiatives, targets and metrics take their agency's jurisdiction; regions are their own
    assert hand.nodes[WEEK]["jurisdiction"] == hand.nodes[TARGET]["jurisdiction"] == "北京市"
    assert hand.nodes[METRIC]["jurisdiction"] == ""  # the bar association has none
    assert hand.nodes[CY]["jurisdiction"] == "朝阳区" and hand.nodes[CIVIL_CODE]["jurisdiction"] == ""


def test_weights_count_reports_and_years_follow_them(hand):
    study = hand.edges[BJ_SFJ, CIVIL_CODE, "study"]
    assert study["weight"] == 2.0 and study["report_count"] == 2
    assert study["label"] == study["kind"] == "study" and study["relation_zh"] == "学习"
    assert (study["year"], study["last_year"], study["years"]) == (2022, 2023, "2022 2023")
    assert study["report_ids"] == "bj-sfj-2022 bj-sfj-2023"
    assert hand.edges[BJ_SFJ, CIVIL_CODE, "publicise"]["weight"] == 1.0
    assert hand.edges[STATE_COUNCIL, OUTLINE, "issue"]["family"] == "action"  # from eli:passed_by
    code = hand.nodes[CIVIL_CODE]
    assert (code["year"], code["last_year"], code["years"], code["report_count"]) == (2022, 2024, "2022 2023 2024", 3)
    assert hand.nodes[CY_SFJ]["years"] == "2024"


def test_attributes_are_scalar_and_typed(hand, hand_store):
    assert_scalar_attributes(hand)
    assert_scalar_attributes(build_network(hand_store, include_evidence=True))
    for _, data in hand.nodes(data=True):
        assert data["color"] == KIND_COLORS[data["kind"]]
        assert 5.0 <= data["size"] <= 30.0
    assert hand.nodes[BJ_SFJ]["size"] == 30.0  # the best connected node
    assert hand.nodes[BJ_SFJ]["export_degree"] == max(d for _, d in hand.degree())


def test_views(hand_store):
    ad = build_network(hand_store, "agency-document")
    assert kinds_of(ad) <= {"agency", "organisation", "document"}
    assert edge_kinds(ad) == {"study", "publicise", "implement", "issue", "cites"}
    assert set(ad.nodes) == {BJ_SFJ, CY_SFJ, STATE_COUNCIL, CIVIL_CODE, OUTLINE, REGULATION}
    ai = build_network(hand_store, "agency-initiative")
    assert set(ai.nodes) == {BJ_SFJ, WEEK} and edge_kinds(ai) == {"initiative"}
    dd = build_network(hand_store, "document-document")
    assert kinds_of(dd) == {"document"} and edge_kinds(dd) == {"implements", "references"}
    assert set(dd.nodes) == {CIVIL_CODE, OUTLINE, REGULATION}
    assert ad.graph["view"] == "agency-document"


def test_filters(hand_store, hand):
    y22 = build_network(hand_store, filters=Filters(year=2022))
    assert set(y22.nodes) == {BJ, BJ_SFJ, CIVIL_CODE, OUTLINE, WEEK, TARGET}
    assert all(d["years"] == "2022" for _, d in y22.nodes(data=True))
    assert y22.edges[BJ_SFJ, CIVIL_CODE, "study"]["weight"] == 1.0
    assert set(build_network(hand_store, filters=Filters(year=2030)).nodes) == set()

    district = build_network(hand_store, filters=Filters(jurisdiction="朝阳区"))
    assert set(district.nodes) == {BJ, CY, CN, CY_SFJ, BJ_SFJ, STATE_COUNCIL, OUTLINE, REGULATION, CIVIL_CODE}
    city = build_network(hand_store, filters=Filters(jurisdiction="北京市"))  # and the regions within it
    assert set(city.nodes) == set(hand.nodes)
    with pytest.raises(ValueError, match="no region labelled"):
        build_network(hand_store, filters=Filters(jurisdiction="上海市"))

    law = build_network(hand_store, filters=Filters(level="law"))
    assert {n for n, d in law.nodes(data=True) if d["kind"] == "document"} == {CIVIL_CODE}
    assert STATE_COUNCIL in law  # still linked to its region
    assert all(law.degree(n) > 0 for n in law.nodes)
    assert set(build_network(hand_store, filters=Filters(level="法律")).nodes) == set(law.nodes)
    ad_law = build_network(hand_store, "agency-document", Filters(level="law"))
    assert set(ad_law.nodes) == {BJ_SFJ, CIVIL_CODE}

    docs = build_network(hand_store, filters=Filters(kind="document"))
    assert kinds_of(docs) == {"document"} and edge_kinds(docs) == {"implements", "references"}
    assert kinds_of(build_network(hand_store, filters=Filters(kind="organization"))) == {"organisation"}
    mixed = build_network(hand_store, filters=Filters(kind="agency, document", year=2024))
    assert kinds_of(mixed) == {"agency", "document"}
    assert edge_kinds(mixed) == {"implement", "issue", "cites", "references", "subOrganizationOf"}


def test_evidence_sentences_only_when_asked(hand_store, hand):
    assert "sentence" not in kinds_of(hand)
    ev = build_network(hand_store, include_evidence=True)
    sentences = [n for n, d in ev.nodes(data=True) if d["kind"] == "sentence"]
    assert len(sentences) == 5
    assert set(ev.nodes) - set(sentences) == set(hand.nodes)
    first = next(n for n in sentences if ev.nodes[n]["years"] == "2022" and "民法典" in ev.nodes[n]["text"])
    assert ev.nodes[first]["text"].startswith("市司法局组织学习") and ev.nodes[first]["section"] == "一、工作总结"
    assert {u for u, _, k in ev.in_edges(first, keys=True) if k == "evidence"} >= {BJ_SFJ, CIVIL_CODE, WEEK}
    coverage = next(n for n in sentences if "覆盖率" in ev.nodes[n]["text"])
    assert ev.edges[TARGET, coverage, "evidence"]["weight"] == 1.0
    assert ev.nodes[coverage]["text"] == "2023年法治宣传覆盖率达到95%以上。"  # no character XML cannot hold
    y24 = build_network(hand_store, filters=Filters(year=2024), include_evidence=True)
    assert {d["years"] for _, d in y24.nodes(data=True) if d["kind"] == "sentence"} == {"2024"}


@pytest.mark.parametrize("call, message", [
    (lambda s: build_network(s, view="everything"), "unknown view"),
    (lambda s: build_network(s, filters=Filters(kind="person")), "unknown kind"),
    (lambda s: build_network(s, filters=Filters(level="decree")), "unknown document level"),
    (lambda s: export(s, "pdf", Path("/nonexistent/x.pdf")), "unknown format"),
])
def test_clear_errors(hand_store, call, message):
    with pytest.raises(ValueError, match=message):
        call(hand_store)


# -- writing: validity, round trips, timeline ---------------------------------------------

@pytest.mark.parametrize("dataset", ["hand", "corpus"])
@pytest.mark.parametrize("view", VIEWS)
def test_gexf_validates_against_the_official_xsd(request, dataset, view, schemas, tmp_path):
    store = pick_store(request, dataset)
    for evidence in (False, True):
        graph = build_network(store, view, include_evidence=evidence)
        for fmt in ("gexf", "gexf1.2"):
            [path] = write_export(graph, fmt, tmp_path / f"{view}-{evidence}-{fmt}.gexf")
            schema = schemas[VERSION_OF[fmt]]
            assert schema.validate(etree.parse(str(path))), [str(e) for e in schema.error_log][:5]


def test_gexf_validates_when_empty(hand_store, schemas, tmp_path):
    graph = build_network(hand_store, filters=Filters(year=1999))
    assert graph.number_of_nodes() == 0
    for fmt in ("gexf", "gexf1.2"):
        [path] = write_export(graph, fmt, tmp_path / f"empty-{fmt}.gexf")
        assert schemas[VERSION_OF[fmt]].validate(etree.parse(str(path)))


@pytest.mark.parametrize("dataset", ["hand", "corpus"])
def test_gexf_reads_back_with_networkx(request, dataset, tmp_path):
    graph = build_network(pick_store(request, dataset), include_evidence=True)
    for fmt in ("gexf", "gexf1.2"):
        [path] = write_export(graph, fmt, tmp_path / f"net-{fmt}.gexf")
        back = nx.read_gexf(path)
        assert set(back.nodes) == set(graph.nodes)
        assert edge_triples(back) == edge_triples(graph)
        for node, data in graph.nodes(data=True):
            got = back.nodes[node]
            for name, value in data.items():
                if name not in VIZ_KEYS:
                    assert same(got[name], value), (node, name, got[name], value)
            assert not (OPTIONAL_NUMBERS - set(data)) & set(got), node  # unknown stays unknown
            assert got["spells"] == spells_of(data["years"])
        ids = {d["id"]: d for *_, d in back.edges(data=True)}
        for *_, data in graph.edges(data=True):
            got = ids[data["id"]]
            for name, value in data.items():
                assert same(got[name], value), (name, got[name], value)
            assert got["spells"] == spells_of(data["years"])
            assert "networkx_key" not in got


def test_gexf_fixes_and_timeline(hand, tmp_path):
    for fmt, version in VERSION_OF.items():
        [path] = write_export(hand, fmt, tmp_path / f"t-{fmt}.gexf")
        root = etree.parse(str(path)).getroot()
        ns = {"g": GEXF_NS[version]}
        assert root.tag == f"{{{GEXF_NS[version]}}}gexf"
        assert root.nsmap["xsi"] == "http://www.w3.org/2001/XMLSchema-instance"
        assert root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").startswith(GEXF_NS[version])
        graph = root.find("g:graph", ns)
        assert "name" not in graph.attrib
        assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "integer")
        assert not any("viz" in (uri or "") for uri in root.nsmap.values())
        assert not [a for a in root.iterfind(".//g:attribute", ns) if a.get("title") == "networkx_key"]
        nodes = {n.get("id"): n for n in root.iterfind(".//g:node", ns)}
        code = nodes[str(CIVIL_CODE)]
        assert [(s.get("start"), s.get("end")) for s in code.iterfind("g:spells/g:spell", ns)] == [("2022", "2024")]
        color = code.find("g:color", ns)
        assert (color.get("r"), color.get("g"), color.get("b")) == ("255", "127", "14")
        assert float(code.find("g:size", ns).get("value")) == hand.nodes[CIVIL_CODE]["size"]
        assert code.get("label") == "中华人民共和国民法典"
        for node in nodes.values():
            assert node.find("g:spells/g:spell", ns) is not None
        for edge in root.iterfind(".//g:edge", ns):
            assert edge.find("g:spells/g:spell", ns) is not None and float(edge.get("weight")) >= 1
            assert edge.get("label")
            assert edge.get("kind") == (edge.get("label") if version == "1.3" else None)
        titles = {a.get("title"): a.get("type") for a in root.iterfind(".//g:attributes[@class='node']/g:attribute", ns)}
        assert titles["kind"] == "string" and titles["year"] == "long" and titles["value"] == "double"
        assert "size" not in titles and "color" not in titles


@pytest.mark.parametrize("dataset", ["hand", "corpus"])
def test_graphml_reads_back_with_networkx(request, dataset, tmp_path):
    graph = build_network(pick_store(request, dataset))
    [path] = write_export(graph, "graphml", tmp_path / "net.graphml")
    back = nx.read_graphml(path)
    assert set(back.nodes) == set(graph.nodes)
    assert edge_triples(back) == edge_triples(graph)
    for node, data in graph.nodes(data=True):
        got = back.nodes[node]
        for name, value in data.items():
            if name != "color":
                assert same(got[name], value), (node, name)
        text = data["color"].lstrip("#")
        assert (got["r"], got["g"], got["b"]) == tuple(int(text[i:i + 2], 16) for i in (0, 2, 4))
    ids = {d["id"]: d for *_, d in back.edges(data=True)}
    for *_, data in graph.edges(data=True):
        assert all(same(ids[data["id"]][k], v) for k, v in data.items())
    # Gephi reads a key by id before attr.name and takes d3 (nodes) / d7 (edges) as labels.
    keys = etree.parse(str(path)).getroot().iterfind(".//{http://graphml.graphdrawing.org/xmlns}key")
    assert all(not k.get("id").startswith("d") or not k.get("id")[1:].isdigit() for k in keys)


@pytest.mark.parametrize("dataset", ["hand", "corpus"])
def test_csv_pair_for_gephi(request, dataset, tmp_path):
    graph = build_network(pick_store(request, dataset))
    nodes_path, edges_path = write_export(graph, "csv", tmp_path / "csv")
    assert (nodes_path.name, edges_path.name) == ("nodes.csv", "edges.csv")
    assert not nodes_path.read_bytes().startswith(b"\xef\xbb\xbf")
    with nodes_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames[:2] == ["Id", "Label"] and "kind" in reader.fieldnames
        assert not set(VIZ_KEYS) & set(reader.fieldnames)
        nodes = list(reader)
    with edges_path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames[:3] == ["Source", "Target", "Type"]
        assert {"Label", "Weight", "Kind", "Id"} <= set(reader.fieldnames)
        assert len({name.lower() for name in reader.fieldnames}) == len(reader.fieldnames)  # Gephi rejects repeats
        edges = list(reader)
    assert {row["Id"] for row in nodes} == set(graph.nodes)
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    by_id = {row["Id"]: row for row in nodes}
    for node, data in graph.nodes(data=True):
        assert by_id[node]["Label"] == data["label"] and by_id[node]["kind"] == data["kind"]
        assert int(by_id[node]["year"]) == data["year"]
        assert float(by_id[node]["value"]) == data["value"] if "value" in data else by_id[node]["value"] == ""
    assert Counter((r["Source"], r["Target"], r["Kind"]) for r in edges) == edge_triples(graph)
    assert {r["Type"] for r in edges} <= {"Directed"}
    assert all(float(r["Weight"]) >= 1 and r["Label"] == r["Kind"] for r in edges)


def test_output_paths(hand, tmp_path):
    pair = write_export(hand, "csv", tmp_path / "out" / "network.csv")
    assert [p.name for p in pair] == ["network-nodes.csv", "network-edges.csv"]
    assert all(p.parent == tmp_path / "out" for p in pair)
    folder = tmp_path / "folder"
    folder.mkdir()
    assert write_export(hand, "gexf", folder) == [folder / "policy-kg-all.gexf"]
    assert write_export(hand, "graphml", folder) == [folder / "policy-kg-all.graphml"]
    given = tmp_path / "deep" / "name.xml"
    assert write_export(hand, "gexf1.2", given) == [given] and given.is_file()


def test_views_and_filters_reach_the_files(hand_store, tmp_path):
    paths = export(hand_store, "gexf", tmp_path / "dd.gexf", view="document-document")
    back = nx.read_gexf(paths[0])
    assert {d["kind"] for _, d in back.nodes(data=True)} == {"document"}
    paths = export(hand_store, "csv", tmp_path / "y22", filters=Filters(year=2022))
    with paths[0].open(encoding="utf-8") as fh:
        assert {row["years"] for row in csv.DictReader(fh)} == {"2022"}


@pytest.mark.parametrize("dataset", ["hand", "corpus"])
def test_gexf_parses_with_graphology(request, dataset, graphology, tmp_path):
    graph = build_network(pick_store(request, dataset), include_evidence=True)
    for fmt in ("gexf", "gexf1.2"):
        [path] = write_export(graph, fmt, tmp_path / f"g-{fmt}.gexf")
        parsed = graphology_parse(graphology, path, tmp_path)
        back = nx.read_gexf(path)
        assert parsed["order"] == back.number_of_nodes() == graph.number_of_nodes()
        assert parsed["size"] == back.number_of_edges() == graph.number_of_edges()
        assert parsed["type"] == "directed"
        for node, data in graph.nodes(data=True):
            attrs = parsed["nodes"][node]
            assert attrs["label"] == data["label"] and attrs["kind"] == data["kind"]
            assert attrs["year"] == data["year"] and attrs["size"] == pytest.approx(data["size"])
            text = data["color"].lstrip("#")
            assert attrs["color"].startswith("rgba(" + ",".join(str(int(text[i:i + 2], 16)) for i in (0, 2, 4)))
        assert Counter((e["source"], e["target"], e["attributes"]["kind"]) for e in parsed["edges"]) == edge_triples(graph)
        assert all(e["attributes"]["weight"] >= 1 for e in parsed["edges"])


def test_corpus_export_is_quick(corpus_store, tmp_path):
    start = time.perf_counter()
    [path] = export(corpus_store, "gexf", tmp_path / "corpus.gexf")
    elapsed = time.perf_counter() - start
    graph = nx.read_gexf(path)
    assert graph.number_of_nodes() > 100 and graph.number_of_edges() > 100
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    assert {"agency", "region", "document", "initiative", "metric"} <= kinds
    assert elapsed < 60, f"GEXF export of the corpus took {elapsed:.1f} s"


@pytest.mark.skipif(not OXIGRAPH.exists(), reason=f"no Oxigraph server CLI at {OXIGRAPH}")
def test_remote_store_gives_the_same_network(hand, tmp_path):
    """Only SELECTs through the Store interface: a SPARQL endpoint gives the same export."""
    with oxigraph_server(tmp_path / "oxigraph") as url:
        remote = RemoteStore(url)
        try:
            for iri, graph in hand_graphs().items():
                remote.replace_graph(str(iri), graph)
            network = build_network(remote)
            [path] = export(remote, "gexf", tmp_path / "remote.gexf", view="agency-document")
        finally:
            remote.close()
    assert set(network.nodes) == set(hand.nodes)
    assert edge_triples(network) == edge_triples(hand)
    assert {n: d for n, d in network.nodes(data=True)} == {n: d for n, d in hand.nodes(data=True)}
    assert {d["kind"] for *_, d in nx.read_gexf(path).edges(data=True)} == {"study", "publicise", "implement", "issue",
                                                                               "cites"}


def test_gexf_is_written_as_it_goes(hand):
    """write_gexf streams: many small writes, none holding the document, the same bytes as
    gexf_bytes."""
    from kg.export import gexf_bytes, write_gexf

    class Recorder(io.BytesIO):
        sizes: list[int] = []

        def write(self, data):
            self.sizes.append(len(data))
            return super().write(data)

    out = Recorder()
    out.sizes = []
    write_gexf(hand, out, "1.3")
    whole = out.getvalue()
    assert whole == gexf_bytes(hand, "1.3")
    assert len(out.sizes) >= hand.number_of_nodes() + hand.number_of_edges()
    assert max(out.sizes) < len(whole) / 2


# -- issue 13, points 11-13: no false numbers, citations, spreadsheet timeline, Excel, xmlns, empty --

OPTIONAL_NUMBERS_OF_FACTS = ("value", "upper_value", "fact_year")


def gexf_attvalues(path: Path, version: str) -> dict[str, dict[str, str]]:
    """Node id -> {attribute title: value} as written in the file (lxml, no reader defaults)."""
    root = etree.parse(str(path)).getroot()
    ns = {"g": GEXF_NS[version]}
    titles = {a.get("id"): a.get("title") for a in root.iterfind(".//g:attributes[@class='node']/g:attribute", ns)}
    return {node.get("id"): {titles[v.get("for")]: v.get("value") for v in node.iterfind("g:attvalues/g:attvalue", ns)}
            for node in root.iterfind(".//g:node", ns)}


@pytest.fixture(scope="module")
def reportless_store(tmp_path_factory):
    """A graph without a pkg:Report: its nodes have no report year at all."""
    g = Graph()
    g.add((URIRef(BJ_SFJ), RDF.type, PKG.Agency))
    g.add((URIRef(BJ_SFJ), RDFS.label, zh("北京市司法局")))
    g.add((URIRef(CIVIL_CODE), RDF.type, PKG.Document))
    g.add((URIRef(CIVIL_CODE), RDFS.label, zh("中华人民共和国民法典")))
    g.add((URIRef(CIVIL_CODE), ELI.passed_by, URIRef(BJ_SFJ)))
    store = EmbeddedStore(tmp_path_factory.mktemp("export-reportless") / "store")
    store.replace_graph("https://w3id.org/policy-kg/id/graph/loose", g)
    yield store
    store.close()


def test_missing_numbers_are_absent_not_zero(hand, reportless_store, tmp_path):
    # in the network: an agency has no value, a metric no upper value, a loose node no year
    assert not set(OPTIONAL_NUMBERS_OF_FACTS) & set(hand.nodes[BJ_SFJ])
    assert hand.nodes[TARGET]["value"] == 95.0 and hand.nodes[TARGET]["fact_year"] == 2023
    assert "upper_value" not in hand.nodes[METRIC] and "upper_value" not in hand.nodes[TARGET]
    loose = build_network(reportless_store)
    assert set(loose.nodes) == {BJ_SFJ, CIVIL_CODE}
    assert not set(OPTIONAL_NUMBERS) & set(loose.nodes[BJ_SFJ])
    assert not {"year", "last_year"} & set(loose.edges[BJ_SFJ, CIVIL_CODE, "issue"])
    assert loose.nodes[BJ_SFJ]["report_count"] == 1  # a count is a number, known: kept
    for graph, node, absent in ((hand, BJ_SFJ, OPTIONAL_NUMBERS_OF_FACTS), (hand, METRIC, ("upper_value",)),
                                (loose, CIVIL_CODE, OPTIONAL_NUMBERS)):
        paths = export_all(graph, tmp_path / f"{len(graph)}-{node[-6:]}")
        for fmt in ("gexf", "gexf1.2"):
            [path] = paths[fmt]
            written = gexf_attvalues(path, VERSION_OF[fmt])[node]
            assert not set(absent) & set(written), (fmt, written)
            back = nx.read_gexf(path).nodes[node]
            assert not set(absent) & set(back), (fmt, back)
        back = nx.read_graphml(paths["graphml"][0]).nodes[node]
        assert not set(absent) & set(back), back
        ml = etree.parse(str(paths["graphml"][0])).getroot()
        [element] = [n for n in ml.iter("{http://graphml.graphdrawing.org/xmlns}node") if n.get("id") == node]
        assert not {d.get("key") for d in element} & {f"node_{name}" for name in absent}  # no data element
        with paths["csv"][0].open(encoding="utf-8", newline="") as fh:
            row = next(r for r in csv.DictReader(fh) if r["Id"] == node)
        assert all(row[name] == "" for name in absent), row
    # what is known is still written, with its type
    paths = export_all(hand, tmp_path / "known")
    assert nx.read_gexf(paths["gexf"][0]).nodes[TARGET]["value"] == 95.0
    assert nx.read_graphml(paths["graphml"][0]).nodes[TARGET]["fact_year"] == 2023
    with paths["csv"][0].open(encoding="utf-8", newline="") as fh:
        target = next(r for r in csv.DictReader(fh) if r["Id"] == TARGET)
    assert float(target["value"]) == 95.0 and target["fact_year"] == "2023"


def test_missing_numbers_are_absent_for_graphology(hand, graphology, tmp_path):
    for fmt in ("gexf", "gexf1.2"):
        [path] = write_export(hand, fmt, tmp_path / f"m-{fmt}.gexf")
        nodes = graphology_parse(graphology, path, tmp_path)["nodes"]
        assert not {"value", "upper_value", "fact_year"} & set(nodes[BJ_SFJ]), nodes[BJ_SFJ]
        assert nodes[TARGET]["value"] == 95 and nodes[TARGET]["fact_year"] == 2023
        assert "upper_value" not in nodes[METRIC]


def test_citations_are_edges_from_the_reporting_agency(hand, hand_store):
    cites = {(u, v): d for u, v, k, d in hand.edges(keys=True, data=True) if k == "cites"}
    # a document only cited (no action, no initiative) is linked to the agency whose report cites it
    assert set(cites) == {(BJ_SFJ, CIVIL_CODE), (CY_SFJ, OUTLINE), (CY_SFJ, REGULATION)}
    code = cites[BJ_SFJ, CIVIL_CODE]
    assert (code["weight"], code["report_count"], code["years"]) == (2.0, 2, "2022 2023")
    assert code["label"] == code["kind"] == "cites" and code["family"] == "citation" and code["relation_zh"]
    assert cites[CY_SFJ, REGULATION]["weight"] == 1.0 and cites[CY_SFJ, REGULATION]["years"] == "2024"
    ad = build_network(hand_store, "agency-document")
    assert REGULATION in ad and ad.has_edge(CY_SFJ, REGULATION, "cites")
    assert "cites" not in edge_kinds(build_network(hand_store, "document-document"))
    assert "cites" not in edge_kinds(build_network(hand_store, "agency-initiative"))
    y23 = build_network(hand_store, "agency-document", Filters(year=2023))
    assert y23.edges[BJ_SFJ, CIVIL_CODE, "cites"]["weight"] == 1.0
    local = build_network(hand_store, "agency-document", Filters(level="local-regulation"))
    assert set(local.nodes) == {CY_SFJ, REGULATION}  # who cites which local regulation


def test_citation_edges_in_the_files(hand, tmp_path):
    for fmt, version in VERSION_OF.items():
        [path] = write_export(hand, fmt, tmp_path / f"c-{fmt}.gexf")
        back = nx.read_gexf(path)
        [data] = [d for u, v, d in back.edges(data=True) if (u, v, d["kind"]) == (BJ_SFJ, CIVIL_CODE, "cites")]
        assert data["weight"] == 2.0 and data["spells"] == [(2022, 2023)]
        root = etree.parse(str(path)).getroot()
        if version == "1.3":  # Gephi's edge kind keeps it apart from the study edge between the same nodes
            kinds = {(e.get("source"), e.get("target"), e.get("kind"))
                     for e in root.iterfind(".//g:edge", {"g": GEXF_NS[version]})}
            assert {(BJ_SFJ, CIVIL_CODE, "cites"), (BJ_SFJ, CIVIL_CODE, "study")} <= kinds


def test_corpus_citations_match_the_mentions(corpus_store):
    """Every (agency that wrote a report, document a sentence of it mentions) is one cites edge,
    weighted by the reports; read here along the sentence -> report path, not the export's."""
    rows = corpus_store.select_rows("""
        PREFIX pkg: <https://w3id.org/policy-kg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT DISTINCT ?agency ?doc ?report WHERE { GRAPH ?g {
          ?m pkg:refersTo ?doc ; pkg:evidence ?s . ?doc a pkg:Document .
          ?s dcterms:isPartOf ?report . ?report dcterms:creator ?agency } }""")
    expected = Counter((r["agency"], r["doc"]) for r in rows)
    assert expected
    graph = build_network(corpus_store, "agency-document")
    got = {(u, v): d["weight"] for u, v, k, d in graph.edges(keys=True, data=True) if k == "cites"}
    assert got == {pair: float(n) for pair, n in expected.items()}
    cited_only = {doc for _, doc in expected} - {v for u, v, k in graph.edges(keys=True) if k != "cites"}
    assert cited_only, "the corpus has documents that are only cited"


def parse_timeset(text: str) -> list[tuple[int, int]]:
    assert text.startswith("<[") and text.endswith("]>"), text
    return [tuple(int(x) for x in part.strip("[]").split(",")) for part in text[1:-1].split(";")]


@pytest.mark.parametrize("dataset", ["hand", "corpus"])
def test_csv_timeset_matches_the_gexf_spells(request, dataset, tmp_path):
    graph = build_network(pick_store(request, dataset))
    nodes_path, edges_path = write_export(graph, "csv", tmp_path / "csv")
    back = nx.read_gexf(write_export(graph, "gexf", tmp_path / "t.gexf")[0])
    with nodes_path.open(encoding="utf-8", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with edges_path.open(encoding="utf-8", newline="") as fh:
        edges = list(csv.DictReader(fh))
    assert "Timeset" in nodes[0] and "Timeset" in edges[0]
    for row in nodes:
        assert parse_timeset(row["Timeset"]) == back.nodes[row["Id"]]["spells"] == spells_of(row["years"])
    spells = {d["id"]: d["spells"] for *_, d in back.edges(data=True)}
    for row in edges:
        assert parse_timeset(row["Timeset"]) == spells[row["Id"]] == spells_of(row["years"])
    if dataset == "hand":
        by_id = {row["Id"]: row for row in nodes}
        assert by_id[CIVIL_CODE]["Timeset"] == "<[2022,2024]>"
        assert by_id[CY_SFJ]["Timeset"] == "<[2024,2024]>"


def test_csv_timeset_is_empty_without_years(reportless_store, tmp_path):
    nodes_path, _ = write_export(build_network(reportless_store), "csv", tmp_path / "csv")
    with nodes_path.open(encoding="utf-8", newline="") as fh:
        assert {row["Timeset"] for row in csv.DictReader(fh)} == {""}


def test_excel_csv_starts_with_a_bom(hand, tmp_path):
    plain = write_export(hand, "csv", tmp_path / "plain")
    excel = write_export(hand, "csv", tmp_path / "excel", excel=True)
    for plain_path, excel_path in zip(plain, excel):
        data = excel_path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and not plain_path.read_bytes().startswith(b"\xef\xbb\xbf")
        assert data[3:] == plain_path.read_bytes()  # the same table after the mark
    with excel[0].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[0] == "Id" and {r["Label"] for r in rows} >= {"北京市司法局", "中华人民共和国民法典"}
    with pytest.raises(ValueError, match="csv"):
        write_export(hand, "gexf", tmp_path / "x.gexf", excel=True)


@pytest.mark.parametrize("dataset", ["hand", "corpus"])
def test_gexf_declares_each_namespace_once(request, dataset, schemas, tmp_path):
    store = pick_store(request, dataset)
    for evidence in (False, True):
        graph = build_network(store, include_evidence=evidence)
        assert graph.number_of_nodes() > 10
        for fmt in ("gexf", "gexf1.2"):
            [path] = write_export(graph, fmt, tmp_path / f"ns-{evidence}-{fmt}.gexf")
            data = path.read_bytes()
            # xmlns (GEXF) and xmlns:xsi, on the root only, however many nodes
            assert data.count(b"xmlns") == 2, data.count(b"xmlns")
            root = etree.fromstring(data)
            assert all(el.nsmap == root.nsmap for el in root.iter())
            assert {el.tag.split("}")[0] for el in root.iter()} == {"{" + GEXF_NS[VERSION_OF[fmt]]}
            assert schemas[VERSION_OF[fmt]].validate(etree.parse(str(path)))


def test_an_export_that_selects_nothing_says_so(hand_store, tmp_path):
    from kg.export import NothingToExport

    for filters in (Filters(year=2030), Filters(kind="initiative", year=2024),
                    Filters(jurisdiction="朝阳区", year=2022)):
        with pytest.raises(NothingToExport, match="select") as raised:
            export(hand_store, "gexf", tmp_path / "none.gexf", filters=filters)
        assert "\n" not in str(raised.value) and filters.describe() in str(raised.value)
    assert not (tmp_path / "none.gexf").exists()
    assert issubclass(NothingToExport, ValueError)


def test_cli_export_nothing_exits_2_and_excel_writes_a_bom(tmp_path):
    from .conftest import run_kg

    folder = tmp_path / "store"
    store = EmbeddedStore(folder)
    for iri, graph in hand_graphs().items():
        store.replace_graph(str(iri), graph)
    store.close()
    proc = run_kg("export", "--store", str(folder), "--year", "2030", "--output", str(tmp_path / "none.gexf"))
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kg: error") and "year=2030" in lines[0], proc.stderr
    assert not (tmp_path / "none.gexf").exists()
    proc = run_kg("export", "--store", str(folder), "--format", "csv", "--excel", "--output", str(tmp_path / "xl"))
    assert proc.returncode == 0, proc.stderr
    assert all((tmp_path / "xl" / name).read_bytes().startswith(b"\xef\xbb\xbf") for name in ("nodes.csv", "edges.csv"))
    proc = run_kg("export", "--store", str(folder), "--excel", "--output", str(tmp_path / "xl.gexf"))
    assert proc.returncode == 1 and "csv" in proc.stderr and "Traceback" not in proc.stderr


def test_exports_take_a_language_for_levels_and_relations(tmp_path):
    """level_label and relation_label in Chinese by default, in English with lang=en; the codes
    and the Chinese columns stay."""
    from kg.export import build_network
    from kg.ingest import ingest_paths
    from kg.store import open_store

    from .conftest import EXAMPLES

    db = open_store(tmp_path / "store")
    assert ingest_paths([EXAMPLES], db).ok
    zh = build_network(db, "agency-document")
    en = build_network(db, "agency-document", lang="en")
    db.close()
    docs = [(n, d) for n, d in en.nodes(data=True) if d["kind"] == "document" and d["level"]]
    assert docs
    for node, data in docs:
        assert zh.nodes[node]["level_label"] == zh.nodes[node]["level_zh"]
        assert data["level_label"] and data["level_label"] != data["level_zh"]
        assert data["level_label"].isascii()
    edges = list(en.edges(data=True))
    assert edges and all(d["relation_label"].isascii() for _, _, d in edges)
    assert all(not d["relation_label"].isascii() for _, _, d in zh.edges(data=True))
    with pytest.raises(ValueError, match="unknown language"):
        build_network(db, lang="fr")
