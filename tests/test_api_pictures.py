"""Entity pages that show the entity (issue 17): a summary in words, the neighbourhood as an SVG
network, a document's reach by region and year, a body's targets and results by year, the facts
by kind with their evidence — over real uvicorn, on the hand-made dataset, on graphs built to
hit the caps, and on the examples and the shared corpus ingested for real."""
from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, RDFS, XSD

from api.app import create_app
from api.entity import NETWORK_MAX, commitment_pairs
from api.svg import Bar, Network, Node, bar_rows_svg, kind_of, network_svg
from kg.export import KIND_COLORS
from kg.store import EmbeddedStore
from kg.graph.vocab import ACTION, ADMIN, ID, PKG, entity_iri, fact_iri, report_graph, report_iri

from .api_fixtures import AGENCY, CIVIL_CODE, REGION, SENTENCE_TEXT, make_store, serve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")
ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
MINTED = re.compile(re.escape(str(ID)) + r"\S+")


class Picture(HTMLParser):
    """The SVG nodes and bars of a page (their data- attributes), the hrefs inside the SVGs, and
    the visible texts of all links."""

    def __init__(self):
        super().__init__()
        self.nodes, self.bars, self.svg_hrefs, self.link_texts, self.ids = [], [], [], [], set()
        self._svg = None
        self._in_link = False
        self._link_text = ""
        self._group = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "svg" and a.get("id"):
            self._svg = a["id"]
        classes = (a.get("class") or "").split()
        if tag == "g" and "node" in classes:
            self.nodes.append((self._svg, a["data-key"], a["data-kind"]))
        if tag == "g" and "bar" in classes:
            self.bars.append((self._svg, a.get("data-label") or a.get("data-year"), a["data-value"]))
        if tag == "a":
            self._in_link, self._link_text = True, ""
            if self._svg and a.get("href"):
                self.svg_hrefs.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        if tag == "a" and self._in_link:
            self._in_link = False
            self.link_texts.append(self._link_text.strip())

    def handle_data(self, data):
        if self._in_link:
            self._link_text += data


def parse(html: str) -> Picture:
    picture = Picture()
    picture.feed(html)
    return picture


def page_path(iri) -> str:
    return "/id/" + str(iri)[len(str(ID)):]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = make_store(tmp_path_factory.mktemp("pictures") / "store")
    with serve(create_app(store)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client
    store.close()


def test_kind_of_reads_the_minted_iri():
    assert kind_of(str(AGENCY)) == "agency" and kind_of(str(CIVIL_CODE)) == "document"
    assert kind_of(str(REGION)) == "region" and kind_of("https://example.org/x") == "other"
    assert kind_of(str(fact_iri("r1", "target", "x", 2024))) == "target"


def test_network_svg_draws_every_node_as_a_link_in_its_kind_colour():
    net = Network(centre="a", nodes=[Node("a", "中心", "agency", None), Node("b", "文件一", "document", "/id/b"),
                                     Node("c", "<地区>", "region", "/id/c")],
                  edges=[("a", "b", "学习"), ("a", "c", "管辖")])
    svg = network_svg(net)
    found = parse(svg)
    assert [(k, kind) for _, k, kind in found.nodes] == [("a", "agency"), ("b", "document"), ("c", "region")]
    assert found.svg_hrefs == ["/id/b", "/id/c"]  # the centre is this page: no link
    assert KIND_COLORS["document"] in svg and KIND_COLORS["region"] in svg
    assert "&lt;地区&gt;" in svg and "<地区>" not in svg  # labels are escaped
    assert svg.count("<line ") == 2 and network_svg(net) == svg  # seeded: the same picture each time


def test_bar_rows_scale_and_nest():
    svg = bar_rows_svg([("2025", [Bar("深圳市", 2, "/id/r1"), Bar("光明区", 1, "/id/r2", indent=1)])])
    found = parse(svg)
    assert found.bars == [("bars", "深圳市", "2"), ("bars", "光明区", "1")]
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert bar_rows_svg([]) == ""


def test_targets_and_results_pair_by_indicator_unit_and_year():
    rows = [{"fact": "t1", "kind": str(PKG.Target), "indicator": "覆盖率", "unit": "%", "year": "2024", "value": "95"},
            {"fact": "m1", "kind": str(PKG.Metric), "indicator": "覆盖率", "unit": "%", "year": "2024", "value": "96.5"},
            {"fact": "m0", "kind": str(PKG.Metric), "indicator": "覆盖率", "unit": "%", "year": "2023", "value": "90"},
            {"fact": "t2", "kind": str(PKG.Target), "indicator": "覆盖率", "unit": "个", "year": "2024", "value": "3"},
            {"fact": "m2", "kind": str(PKG.Metric), "indicator": "受理", "unit": "宗", "year": "2024", "value": "10"}]
    charted, rest = commitment_pairs(rows)
    assert list(charted) == [("覆盖率", "%")]
    points = charted[("覆盖率", "%")]
    assert [(p.year, p.target, p.result) for p in points] == [(2023, None, 90.0), (2024, 95.0, 96.5)]
    assert sorted(r["fact"] for r in rest) == ["m2", "t2"]  # another unit is another indicator


def test_agency_page_opens_with_words_a_network_and_quoted_evidence(client):
    response = client.get(page_path(AGENCY))
    assert response.status_code == 200
    html = response.text
    found = parse(html)
    summary = re.search(r'<p id="summary".*?</p>', html, re.S).group(0)
    assert "北京市司法局" in summary and "中华人民共和国民法典" in summary and "北京市" in summary
    assert "学习" in summary  # the action, by its label
    assert html.index('id="summary"') < html.index('id="network"') < html.index('id="properties"')
    assert {(k, kind) for svg, k, kind in found.nodes if svg == "network"} == {
        (str(AGENCY), "agency"), (str(CIVIL_CODE), "document"), (str(REGION), "region")}
    assert "“" + SENTENCE_TEXT + "”" in html  # the evidence sentence, quoted
    assert 'id="facts-action"' in html and 'id="facts-target"' in html
    for href in found.svg_hrefs:
        assert client.get(href).status_code == 200, href


def test_document_page_shows_its_reach(client):
    html = client.get(page_path(CIVIL_CODE)).text
    found = parse(html)
    assert [b for b in found.bars if b[0] == "reach"] == [("reach", "北京市", "1")]
    assert "2023" in re.search(r'<svg id="reach".*?</svg>', html, re.S).group(0)
    assert "北京市司法局" in re.search(r'<ul id="reach-list">.*?</ul>', html, re.S).group(0)
    for href in found.svg_hrefs:
        assert client.get(href).status_code == 200, href


def test_no_link_shows_a_bare_minted_iri_where_a_label_exists(client):
    for iri in (AGENCY, CIVIL_CODE, REGION):
        found = parse(client.get(page_path(iri)).text)
        bare = [t for t in found.link_texts if MINTED.fullmatch(t)]
        assert bare == [], (iri, bare)


def crowded_graphs(documents: int) -> tuple[dict, object]:
    """One report whose agency studies ``documents`` documents and sets a target it then meets."""
    g = Graph()
    report, agency = report_iri("crowd-2024"), entity_iri("agency", "拥挤区司法局")
    region = entity_iri("region", "拥挤区")
    city = entity_iri("region", "拥挤市")
    g.add((report, RDF.type, PKG.Report))
    g.add((report, PKG.year, Literal(2024, datatype=XSD.integer)))
    g.add((agency, RDF.type, PKG.Agency))
    g.add((agency, RDFS.label, Literal("拥挤区司法局", lang="zh")))
    g.add((agency, PKG.jurisdiction, region))
    g.add((region, RDF.type, PKG.Region))
    g.add((region, RDFS.label, Literal("拥挤区", lang="zh")))
    g.add((region, PKG.adminLevel, ADMIN.district))
    g.add((region, PKG.partOf, city))
    g.add((city, RDF.type, PKG.Region))
    g.add((city, RDFS.label, Literal("拥挤市", lang="zh")))
    for i in range(documents):
        doc = entity_iri("document", f"文件{i:03d}")
        g.add((doc, RDF.type, PKG.Document))
        g.add((doc, RDFS.label, Literal(f"文件{i:03d}", lang="zh")))
        act = fact_iri("crowd-2024", "action", "study", str(doc))
        g.add((act, RDF.type, PKG.Action))
        g.add((act, PKG.actionType, ACTION.study))
        g.add((act, PROV.wasAssociatedWith, agency))
        g.add((act, PROV.used, doc))
        g.add((act, PKG.year, Literal(2024, datatype=XSD.integer)))
    for kind, year, value in (("target", 2024, "90"), ("metric", 2024, "93"), ("metric", 2023, "85")):
        fact = fact_iri("crowd-2024", kind, "办结率", year)
        g.add((fact, RDF.type, PKG.Target if kind == "target" else PKG.Metric))
        g.add((fact, PKG.indicator, Literal("办结率", lang="zh")))
        g.add((fact, PKG.value, Literal(Decimal(value), datatype=XSD.decimal)))
        g.add((fact, PKG.unit, Literal("%")))
        g.add((fact, PKG.year, Literal(year, datatype=XSD.integer)))
        g.add((fact, PROV.wasAttributedTo, agency))
    return {report_graph("crowd-2024"): g}, agency


def test_pictures_are_capped_with_and_n_more(tmp_path):
    graphs, agency = crowded_graphs(NETWORK_MAX + 7)
    store = EmbeddedStore(tmp_path / "store")
    for iri, graph in graphs.items():
        store.replace_graph(str(iri), graph)
    with serve(create_app(store)) as url, httpx.Client(base_url=url, timeout=60) as client:
        html = client.get(page_path(agency)).text
        found = parse(html)
        drawn = [n for n in found.nodes if n[0] == "network"]
        assert len(drawn) == NETWORK_MAX + 1  # the agency and NETWORK_MAX neighbours
        more = re.search(r'<a id="network-more" href="([^"]+)">([^<]+)</a>', html)
        assert more and "8" in more.group(2)  # 31 documents + the region, 24 drawn
        assert client.get(more.group(1).replace("&amp;", "&")).status_code == 200
        # the target of 2024 and the result of 2024 (and 2023's result) in one chart
        assert sorted(b for b in found.bars if b[0] == "series-0") == [
            ("series-0", "2023", "85"), ("series-0", "2024", "90"), ("series-0", "2024", "93")]
        assert client.get(page_path(entity_iri("document", "文件000"))).status_code == 200
    store.close()


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory):
    from kg.ingest import ingest_paths

    store = EmbeddedStore(tmp_path_factory.mktemp("corpus") / "store")
    paths = [ROOT / "examples"] + ([SHARED_CORPUS] if SHARED_CORPUS.exists() else [])
    summary = ingest_paths(paths, store)
    assert not [o.error for o in summary.outcomes if o.error]
    with serve(create_app(store)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client
    store.close()


def test_example_reports_pages(corpus_client):
    agency = entity_iri("agency", "海滨区司法局")
    html = corpus_client.get(page_path(agency)).text
    found = parse(html)
    nodes = {k for svg, k, _ in found.nodes if svg == "network"}
    assert str(agency) in nodes and str(entity_iri("region", "海滨区")) in nodes
    assert len(nodes) <= NETWORK_MAX + 1
    for href in set(found.svg_hrefs):
        assert corpus_client.get(href).status_code == 200, href
    assert [t for t in found.link_texts if MINTED.fullmatch(t)] == []


@pytest.mark.skipif(not SHARED_CORPUS.exists(), reason="the shared corpus is not here")
def test_shared_corpus_reach_follows_the_region_hierarchy(corpus_client):
    """政务数据共享条例: implemented by the Shenzhen bureau (深圳市) and the Guangming one
    (光明区, part of 深圳市): in 2025 深圳市's bar counts both, 光明区 is nested under it."""
    html = corpus_client.get(page_path(entity_iri("document", "政务数据共享条例"))).text
    svg = re.search(r'<svg id="reach".*?</svg>', html, re.S).group(0)
    year_2025 = svg[svg.index(">2025<"):]
    year_2025 = year_2025[:year_2025.index('class="group"', 10)] if 'class="group"' in year_2025[10:] else year_2025
    found = parse(year_2025)
    assert [(label, value) for _, label, value in found.bars] == [("深圳市", "2"), ("光明区", "1")]
    for href in set(parse(html).svg_hrefs):
        assert corpus_client.get(href).status_code == 200, href


def test_overview_svg_draws_the_export_in_its_colours(tmp_path):
    """The README's corpus picture: the export's connected part, each node in its Gephi colour."""
    from api.svg import overview_svg
    from kg.export import build_network

    store = make_store(tmp_path / "store")
    graph = build_network(store)
    svg = overview_svg(graph)
    drawn = re.findall(r'<circle class="node"[^>]*fill="([^"]+)"', svg)
    connected = {n for a, b in graph.edges() for n in (a, b)}
    assert len(drawn) == len(connected) > 0
    assert set(drawn) == {graph.nodes[n]["color"] for n in connected}
    assert "北京市司法局" in svg
    store.close()


def test_the_and_n_more_query_lists_every_neighbour(tmp_path):
    """The editor query behind "and N more" names every neighbour the page counted."""
    from api.entity import neighbour_query
    from api.lookups import PROLOGUE

    graphs, agency = crowded_graphs(NETWORK_MAX + 7)
    store = EmbeddedStore(tmp_path / "store")
    for iri, graph in graphs.items():
        store.replace_graph(str(iri), graph)
    rows = store.select(PROLOGUE + neighbour_query(agency, scan=None))["results"]["bindings"]
    assert len({r["n"]["value"] for r in rows}) == NETWORK_MAX + 7 + 1  # the documents and the region
    store.close()


def test_a_node_in_many_reports_reads_a_bounded_sample_and_says_so(tmp_path, monkeypatch):
    """An agency acting in 250 reports: the page counts its actions up to the cap ("200+"),
    lists FACTS_MAX of them with an "and more" link, and its values' "stated in" says the graphs
    were read up to a cap ("N+ more")."""
    import api.pages
    from api.entity import FACTS_MAX, SCAN_MAX

    monkeypatch.setattr(api.pages, "GRAPHS_READ", 100)
    agency, doc = entity_iri("agency", "忙碌区司法局"), entity_iri("document", "忙碌条例")
    store = EmbeddedStore(tmp_path / "store")
    graphs = []
    for i in range(250):
        rid = f"busy-{i:03d}"
        g = Graph()
        g.add((agency, RDF.type, PKG.Agency))
        g.add((agency, RDFS.label, Literal("忙碌区司法局", lang="zh")))
        g.add((doc, RDF.type, PKG.Document))
        g.add((doc, RDFS.label, Literal("忙碌条例", lang="zh")))
        act = fact_iri(rid, "action", "study", str(doc))
        g.add((act, RDF.type, PKG.Action))
        g.add((act, PKG.actionType, ACTION.study))
        g.add((act, PROV.wasAssociatedWith, agency))
        g.add((act, PROV.used, doc))
        g.add((act, PKG.year, Literal(2000 + i % 20, datatype=XSD.integer)))
        graphs.append((str(report_graph(rid)), g))
    store.bulk_replace(graphs)
    with serve(create_app(store)) as url, httpx.Client(base_url=url, timeout=60) as client:
        html = client.get(page_path(agency)).text
        assert f'<h3 id="facts-action">Actions ({SCAN_MAX}+)</h3>' in client.get(
            page_path(agency), params={"lang": "en"}).text
        listed = re.search(r'<h3 id="facts-action">.*?</ul>', html, re.S).group(0)
        assert listed.count('class="fact"') == FACTS_MAX
        assert "2019" in listed and "2000" not in listed  # latest first
        assert re.search(r"… and \d+\+ more", html)  # stated in: read up to the cap
        node = {k for svg, k, _ in parse(html).nodes if svg == "network"}
        assert node == {str(agency), str(doc)}
    store.close()
