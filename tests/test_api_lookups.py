"""The JSON lookups: agencies, documents, regions, targets, search; paging and 404s."""
from __future__ import annotations


import httpx
import pytest

from api.app import create_app

from .api_fixtures import (ACTION_NODE, AGENCY, CIVIL_CODE, OTHER_REPORT, OUTLINE, REGION, REPORT, SENTENCE,
                           SENTENCE_TEXT, TARGET, last, module_store, serve, triple_count, write_queries)


store = module_store("lookups")


@pytest.fixture(scope="module")
def client(store, tmp_path_factory):
    app = create_app(store, queries_dir=write_queries(tmp_path_factory.mktemp("queries")))
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_agencies(client):
    page = ok(client.get("/agencies"))
    assert page["total"] == 1 and page["next"] is None and page["offset"] == 0 and page["limit"] == 50
    item = page["items"][0]
    assert item["id"] == last(AGENCY) and item["iri"] == str(AGENCY)
    assert item["label"] == "北京市司法局" and item["type"] == "pkg:Agency"
    assert item["adminLevel"]["code"] == "provincial"
    assert item["jurisdiction"]["label"] == "北京市" and item["jurisdiction"]["id"] == last(REGION)
    # The links work.
    assert ok(httpx.get(item["href"]))["iri"] == str(AGENCY)
    assert httpx.get(item["page"], headers={"Accept": "text/html"}).status_code == 200


def test_agency(client):
    agency = ok(client.get(f"/agencies/{last(AGENCY)}"))
    assert agency["label"] == "北京市司法局"
    assert agency["altLabels"] == ["市司法局"]
    assert agency["jurisdiction"]["iri"] == str(REGION)
    assert [r["iri"] for r in agency["reports"]] == [str(REPORT)]
    assert agency["reports"][0]["year"] == 2023
    [action] = agency["actions"]
    assert action["iri"] == str(ACTION_NODE) and action["type"]["code"] == "study"
    assert action["document"]["label"] == "中华人民共和国民法典"
    assert "rdfs:label" in agency["properties"]


@pytest.mark.parametrize("path", ["/agencies/0000000000000000", "/agencies/bad%20id", "/documents/nope",
                                  "/regions/%3Cx%3E", f"/regions/{last(AGENCY)}"])
def test_unknown_ids_are_404(client, path):
    assert client.get(path).status_code == 404


def test_documents_and_levels(client):
    page = ok(client.get("/documents"))
    assert page["total"] == 2
    assert {i["iri"] for i in page["items"]} == {str(CIVIL_CODE), str(OUTLINE)}
    laws = ok(client.get("/documents", params={"level": "law"}))
    assert [(i["iri"], i["level"]["code"], i["level"]["label"]) for i in laws["items"]] == [
        (str(CIVIL_CODE), "law", "法律")]
    policies = ok(client.get("/documents", params={"level": "policy-document"}))
    assert [i["iri"] for i in policies["items"]] == [str(OUTLINE)]
    assert ok(client.get("/documents", params={"level": "standard"}))["total"] == 0
    assert client.get("/documents", params={"level": "bogus"}).status_code == 422


def test_document_with_who_acted_on_it(client):
    doc = ok(client.get(f"/documents/{last(CIVIL_CODE)}"))
    assert doc["label"] == "中华人民共和国民法典" and doc["title"] == "中华人民共和国民法典"
    assert doc["level"]["code"] == "law" and doc["altLabels"] == ["民法典"]
    [action] = doc["actions"]
    assert action["type"] == {"code": "study", "label": "学习",
                              "iri": "https://w3id.org/policy-kg/scheme/action/study"}
    assert action["agency"]["label"] == "北京市司法局"
    assert action["jurisdiction"]["label"] == "北京市"
    assert action["year"] == 2023
    assert action["report"]["iri"] == str(REPORT)
    assert action["evidence"] == SENTENCE_TEXT
    outline = ok(client.get(f"/documents/{last(OUTLINE)}"))
    assert [d["iri"] for d in outline["implements"]] == [str(CIVIL_CODE)]
    assert outline["actions"] == []


def test_region(client):
    region = ok(client.get(f"/regions/{last(REGION)}"))
    assert region["label"] == "北京市" and region["adminLevel"]["code"] == "provincial"
    assert [a["iri"] for a in region["agencies"]] == [str(AGENCY)]
    assert [r["iri"] for r in region["reports"]] == [str(REPORT)]
    assert region["parts"] == [] and region["partOf"] is None


def test_targets(client):
    page = ok(client.get("/targets"))
    assert page["total"] == 1
    [target] = page["items"]
    assert target["iri"] == str(TARGET)
    assert (target["indicator"], target["value"], target["unit"], target["comparator"], target["year"]) == (
        "法治宣传覆盖率", 95, "%", "at-least", 2024)
    assert target["agency"]["iri"] == str(AGENCY) and target["evidence"] == SENTENCE_TEXT
    assert ok(client.get("/targets", params={"year": 2024}))["total"] == 1
    assert ok(client.get("/targets", params={"year": 2023}))["items"] == []
    assert client.get("/targets", params={"year": "next"}).status_code == 422


def test_search_labels_and_evidence(client):
    page = ok(client.get("/search", params={"q": "民法典"}))
    kinds = {(i["kind"], i["iri"]) for i in page["items"]}
    assert kinds == {("label", str(CIVIL_CODE)), ("evidence", str(SENTENCE))}
    assert page["items"][0]["kind"] == "label"  # labels first
    evidence = ok(client.get("/search", params={"q": "覆盖率"}))
    assert [(i["kind"], i["text"]) for i in evidence["items"]] == [("evidence", SENTENCE_TEXT)]
    assert evidence["items"][0]["report"]["iri"] == str(REPORT)
    assert ok(client.get("/search", params={"q": "上海"}))["items"][0]["iri"] == str(OTHER_REPORT)
    assert client.get("/search").status_code == 422


def test_search_input_is_bound(client, store):
    before = triple_count(store)
    for attack in ['") } DROP ALL #', '"; DROP ALL', "\\", '\n"""']:
        assert ok(client.get("/search", params={"q": attack}))["total"] == 0
    assert triple_count(store) == before


def test_paging(client):
    first = ok(client.get("/search", params={"q": "法", "limit": 2}))
    total = first["total"]
    assert total > 2 and len(first["items"]) == 2 and first["next"]
    seen = [i["iri"] + i["kind"] for i in first["items"]]
    url = first["next"]
    while url:
        page = ok(httpx.get(url))
        assert page["total"] == total
        seen += [i["iri"] + i["kind"] for i in page["items"]]
        url = page["next"]
    assert len(seen) == total == len(set(seen))
    last_page = ok(client.get("/search", params={"q": "法", "limit": 2, "offset": total - 1}))
    assert len(last_page["items"]) == 1 and last_page["next"] is None
    assert client.get("/agencies", params={"limit": 0}).status_code == 422
    assert client.get("/agencies", params={"limit": 5000}).status_code == 422
    assert client.get("/agencies", params={"offset": -1}).status_code == 422
