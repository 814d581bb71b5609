"""Dereferenceable IRIs (/id/...), the editor page (/), CORS, POST /reports and body limits."""
from __future__ import annotations

import json
import re
import sys
import types
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import RDF, Graph

from api.app import create_app
from kg.graph.vocab import PKG, report_graph

from .api_fixtures import (AGENCY, GRAPH, QUERY_FILES, REGION, REPORT, TOKEN, module_store, report_graphs,
                           serve, write_queries)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")
MAX_BODY = 4000
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


store = module_store("pages")


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory):
    return write_queries(tmp_path_factory.mktemp("queries"))


@pytest.fixture(scope="module")
def client(store, queries_dir):
    app = create_app(store, token=TOKEN, queries_dir=queries_dir, max_body=MAX_BODY,
                     cors_origins=["https://researcher.example"])
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def open_client(store, queries_dir):
    with serve(create_app(store, queries_dir=queries_dir)) as url, httpx.Client(base_url=url) as client:
        yield client


class Links(HTMLParser):
    """The hrefs and the text of a page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.text, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_data(self, data):
        self.text.append(data)


def parse_html(text: str) -> Links:
    links = Links()
    links.feed(text)
    return links


AGENCY_PATH = "/id/" + str(AGENCY).split("/id/", 1)[1]


def test_iri_page_html(client):
    response = client.get(AGENCY_PATH, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = parse_html(response.text)
    text = " ".join(page.text)
    assert "北京市司法局" in text and str(AGENCY) in text
    base = str(client.base_url).rstrip("/")
    region_page = base + "/id/" + str(REGION).split("/id/", 1)[1]
    report_page = base + "/id/" + str(REPORT).split("/id/", 1)[1]
    assert region_page in page.hrefs           # property value linked to its page
    assert report_page in page.hrefs           # incoming link (the report's creator)
    assert base + "/ontology#Agency" in page.hrefs  # type: our own page of the term
    assert "北京市" in text                    # the label of the linked region
    # Links are followable.
    assert client.get(region_page, headers={"Accept": "text/html"}).status_code == 200


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
                                         ("application/json", "json-ld"),
                                         ("text/html;q=0.5, text/turtle", "turtle")])
def test_iri_page_rdf(client, accept, fmt):
    response = client.get(AGENCY_PATH, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert "text/html" not in response.headers["content-type"]
    graph = Graph().parse(data=response.text, format=fmt)
    assert set(graph) == set(report_graphs()[GRAPH].triples((AGENCY, None, None)))


def test_iri_page_default_is_html_and_errors(client):
    assert client.get(AGENCY_PATH).headers["content-type"].startswith("text/html")
    assert client.get("/id/agency/0000000000000000").status_code == 404
    assert client.get("/id/agency/0000000000000000", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/nothing%3Chere%3E").status_code == 404
    assert client.get(AGENCY_PATH, headers={"Accept": "image/png"}).status_code == 406
    # Fact nodes (deeper paths) dereference too.
    sentence_path = "/id/" + str(REPORT).split("/id/", 1)[1]
    assert client.get(sentence_path, headers={"Accept": "text/turtle"}).status_code == 200


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = parse_html(response.text)
    assert "textarea" in page.tags and "select" in page.tags and "button" in page.tags
    for lookup in ("agencies", "documents", "targets", "queries", "sparql"):
        assert lookup in page.hrefs
    assert "<script src" not in response.text and "cdn" not in response.text.lower()
    embedded = re.search(r"const QUERIES = (.*?);\n", response.text).group(1)
    names = [q["name"] for q in json.loads(embedded)]
    assert sorted(names) == sorted(QUERY_FILES)
    assert 'fetch("sparql"' in response.text


def test_cors(client, open_client):
    origin = {"Origin": "https://researcher.example"}
    response = client.get("/agencies", headers=origin)
    assert response.headers["access-control-allow-origin"] == "https://researcher.example"
    preflight = client.options("/sparql", headers={**origin, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    sparql = client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert "X-Result-Truncated" in sparql.headers["access-control-expose-headers"]
    other = client.get("/agencies", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in open_client.get("/agencies", headers=origin).headers


def upload(client, headers=None, text="北京市司法局2023年法治政府建设年度报告\n一、工作总结", **fields):
    files = {"file": ("report.txt", text.encode("utf-8"), "text/plain")}
    return client.post("/reports", files=files, data=fields, headers=headers or {})


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_reports_need_a_configured_token(open_client):
    response = upload(open_client, AUTH)
    assert response.status_code == 403
    assert "POLICY_KG_TOKEN" in response.json()["detail"]


def test_reports_need_the_right_token(client):
    assert upload(client).status_code == 401
    assert upload(client, {"Authorization": "Bearer nope"}).status_code == 401


def test_reports_501_while_the_ingester_is_missing(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "kg.ingest", None)  # import kg.ingest fails
    response = upload(client, AUTH)
    assert response.status_code == 501
    assert "kg.ingest.ingest_text" in response.json()["detail"]


def test_reports_call_the_ingester(client, store, monkeypatch):
    calls = []

    def ingest_text(target_store, text, meta):
        calls.append((target_store, text, meta))
        if "bad" in text:
            raise ValueError("no report structure found")
        return types.SimpleNamespace(report_id=meta.id, triples=42, stored="refuse" not in text,
                                     error="not stored: 1 violation" if "refuse" in text else "")

    monkeypatch.setitem(sys.modules, "kg.ingest", types.SimpleNamespace(ingest_text=ingest_text))
    response = upload(client, AUTH, id="bj-2024", title="报告", agency="北京市司法局", jurisdiction="北京市",
                      year="2024", url="https://example.org/r.html")
    assert response.status_code == 201, response.text
    assert response.json()["report"]["iri"] == "https://w3id.org/policy-kg/id/report/bj-2024"
    target_store, text, meta = calls[0]
    assert target_store is store and text.startswith("北京市司法局2023年")
    assert (meta.id, meta.title, meta.agency, meta.jurisdiction, meta.year, meta.url) == (
        "bj-2024", "报告", "北京市司法局", "北京市", 2024, "https://example.org/r.html")
    gbk = client.post("/reports", files={"file": ("gbk-report.txt", "北京市人民政府工作报告".encode("gbk"))},
                      headers=AUTH)
    assert gbk.status_code == 201 and calls[-1][1] == "北京市人民政府工作报告"
    assert calls[-1][2].id == "gbk-report"  # the file name when no id is given
    assert upload(client, AUTH, text="bad").status_code == 422
    refused = upload(client, AUTH, text="refuse me")
    assert refused.status_code == 422 and refused.json()["detail"] == "not stored: 1 violation"
    assert upload(client, AUTH, year="next year").status_code == 400
    no_file = client.post("/reports", data={"id": "x"}, files={"other": ("a", b"a")}, headers=AUTH)
    assert no_file.status_code == 400


@pytest.mark.skipif(not (EXAMPLES / "haibin-sfj-2025.txt").exists(), reason="no example report in examples/")
def test_reports_ingest_a_real_report(client, store):
    pytest.importorskip("kg.ingest")
    text = (EXAMPLES / "haibin-sfj-2025.txt").read_bytes()
    response = client.post("/reports", headers=AUTH, files={"file": ("haibin-sfj-2025.txt", text, "text/plain")},
                           data={"year": "2025", "agency": "海滨区司法局", "jurisdiction": "海滨区"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"]["stored"] is True and body["outcome"]["triples"] > 0
    assert str(report_graph("haibin-sfj-2025")) in store.graphs()
    page = client.get(body["report"]["page"], headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    assert (None, RDF.type, PKG.Report) in Graph().parse(data=page.text, format="turtle")
    store.drop_graph(str(report_graph("haibin-sfj-2025")))


def test_oversized_bodies_are_413(client):
    big = "x" * (MAX_BODY + 100)
    assert upload(client, AUTH, text=big).status_code == 413
    response = client.post("/sparql", data={"query": "ASK {} #" + big})
    assert response.status_code == 413 and "too large" in response.json()["detail"]

    def chunks():  # no Content-Length: counted while reading
        for _ in range(10):
            yield b"#" * 1000

    chunked = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert chunked.status_code == 413
    small = client.post("/sparql", content=iter([b"ASK ", b"{}"]), headers={"Content-Type": "application/sparql-query"})
    assert small.status_code == 200 and small.json()["boolean"] is True
