"""GET /export (api/export.py) on the app from api.app.create_app, served by a real uvicorn.

create_app includes the export router. The store comes from ``app.state.runner`` (create_app sets no
``app.state.store``).
"""
from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import httpx
import networkx as nx
import pytest
from lxml import etree

from api.app import create_app

from .api_fixtures import AGENCY, CIVIL_CODE, OUTLINE, REGION, TARGET, module_store, serve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")

SHARED = Path(os.environ.get("POLICY_KG_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
XSD_DIR = SHARED / "reference" / "gexf"


store = module_store("export-api")


@pytest.fixture(scope="module")
def client(store):
    app = create_app(store)
    with serve(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def disposition(response: httpx.Response) -> str:
    value = response.headers["content-disposition"]
    assert value.startswith("attachment; filename=")
    return value.split("filename=", 1)[1].strip('"')


def test_gexf_default(client, tmp_path):
    response = client.get("/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/gexf+xml")
    assert disposition(response) == "policy-kg-all.gexf"
    path = tmp_path / "all.gexf"
    path.write_bytes(response.content)
    graph = nx.read_gexf(path)
    assert {str(AGENCY), str(REGION), str(CIVIL_CODE), str(OUTLINE), str(TARGET)} == set(graph.nodes)
    assert etree.fromstring(response.content).get("version") == "1.3"
    schema_path = XSD_DIR / "1.3" / "gexf.xsd"
    if schema_path.is_file():
        assert etree.XMLSchema(etree.parse(str(schema_path))).validate(etree.fromstring(response.content))


@pytest.mark.parametrize("fmt, media, suffix", [("gexf1.2", "application/gexf+xml", "-gexf1.2.gexf"),
                                                 ("graphml", "application/graphml+xml", ".graphml")])
def test_other_xml_formats(client, fmt, media, suffix):
    response = client.get("/export", params={"format": fmt, "view": "agency-document"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert disposition(response) == "policy-kg-agency-document" + suffix
    graph = nx.read_graphml(io.BytesIO(response.content)) if fmt == "graphml" else nx.read_gexf(io.BytesIO(response.content))
    assert set(graph.nodes) == {str(AGENCY), str(CIVIL_CODE)}
    assert {d["kind"] for *_, d in graph.edges(data=True)} == {"study"}


def test_csv_zip(client):
    response = client.get("/export", params={"format": "csv", "year": 2023, "evidence": "true"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert disposition(response) == "policy-kg-all-2023.zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
        nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8"))))
        edges = list(csv.DictReader(io.StringIO(archive.read("edges.csv").decode("utf-8"))))
    assert {row["kind"] for row in nodes} == {"agency", "region", "document", "target", "sentence"}
    assert list(edges[0])[:3] == ["Source", "Target", "Type"]
    assert {row["Kind"] for row in edges} >= {"study", "implements", "evidence"}


def test_filters(client):
    response = client.get("/export", params={"kind": "document", "level": "法律"})
    assert response.status_code == 200, response.text
    graph = nx.read_gexf(io.BytesIO(response.content))
    assert set(graph.nodes) == {str(CIVIL_CODE)}
    response = client.get("/export", params={"jurisdiction": "北京市", "format": "graphml"})
    assert nx.read_graphml(io.BytesIO(response.content)).number_of_nodes() == 5


@pytest.mark.parametrize("params, status", [
    ({"format": "pdf"}, 422), ({"view": "everything"}, 422), ({"kind": "person"}, 422),
    ({"level": "decree"}, 422), ({"jurisdiction": "上海市"}, 422), ({"year": "soon"}, 422),
])
def test_bad_parameters(client, params, status):
    response = client.get("/export", params=params)
    assert response.status_code == status
    if "format" not in params and "view" not in params and "year" not in params:
        assert any(word in response.json()["detail"] for word in ("unknown", "no region"))


def test_never_takes_a_path(client, tmp_path):
    target = tmp_path / "stolen.gexf"
    response = client.get("/export", params={"output": str(target), "path": str(target), "filename": "../x"})
    assert response.status_code == 200
    assert not target.exists()
    assert disposition(response) == "policy-kg-all.gexf"


def test_openapi_documents_the_route(store):
    app = create_app(store)
    operation = app.openapi()["paths"]["/export"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"format", "view", "jurisdiction", "level", "year", "kind", "evidence", "excel", "lang"}


@pytest.mark.parametrize("params", [{"year": 2030}, {"kind": "metric"}, {"view": "agency-initiative"},
                                    {"format": "csv", "year": 1999}])
def test_an_export_that_selects_nothing_is_422_in_one_line(client, params):
    response = client.get("/export", params=params)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and detail.startswith("nothing to export")
    assert all(str(value) in detail for value in params.values() if value != "csv")


def test_excel_csv_zip_has_a_bom(client):
    plain = client.get("/export", params={"format": "csv"})
    excel = client.get("/export", params={"format": "csv", "excel": "true"})
    assert plain.status_code == excel.status_code == 200, excel.text
    with zipfile.ZipFile(io.BytesIO(plain.content)) as a, zipfile.ZipFile(io.BytesIO(excel.content)) as b:
        for name in ("nodes.csv", "edges.csv"):
            assert not a.read(name).startswith(b"\xef\xbb\xbf")
            assert b.read(name) == b"\xef\xbb\xbf" + a.read(name)
        nodes = list(csv.DictReader(io.StringIO(b.read("nodes.csv").decode("utf-8-sig"))))
    assert list(nodes[0])[:3] == ["Id", "Label", "Timeset"] and "北京市司法局" in {r["Label"] for r in nodes}
    response = client.get("/export", params={"format": "gexf", "excel": "true"})
    assert response.status_code == 422 and "csv" in response.json()["detail"]
    assert client.get("/export", params={"format": "csv", "excel": "maybe"}).status_code == 422


def test_openapi_documents_the_empty_answer_and_excel(store):
    operation = create_app(store).openapi()["paths"]["/export"]["get"]
    assert "nothing to export" in operation["responses"]["422"]["description"]
    excel = next(p for p in operation["parameters"] if p["name"] == "excel")
    assert excel["schema"]["type"] == "boolean" and "BOM" in excel["description"]


def test_an_english_export_over_http(client):
    response = client.get("/export", params={"format": "graphml", "lang": "en"})
    assert response.status_code == 200, response.text
    import io

    import networkx as nx

    network = nx.read_graphml(io.BytesIO(response.content))
    labels = [d["relation_label"] for _, _, d in network.edges(data=True)]
    assert labels and all(label.isascii() for label in labels)
    by_header = client.get("/export", params={"format": "graphml"}, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert by_header.content == response.content
    assert client.get("/export", params={"lang": "fr"}).status_code == 422
