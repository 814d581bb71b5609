"""The questions researchers ask, as named queries: who cites a document, the regions with
their counts, a document's reach across districts; and the new columns of the contract queries
(document level and district of implementations, citing agency of documents, parents of
agencies). On the example reports, answered the same by the store, `kg query` and the API."""
from __future__ import annotations

import json

import httpx
import pytest

from api.app import create_app
from kg.ingest import ingest_paths
from kg.queries import get_query
from kg.store import open_store, rows

from .api_fixtures import serve
from .conftest import EXAMPLES, run_kg


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("research") / "store"
    db = open_store(path)
    assert ingest_paths([EXAMPLES], db).ok
    db.close()
    return path


def answer(folder, name: str, **params) -> list[dict]:
    db = open_store(folder, read_only=True)
    try:
        query = get_query(name)
        return list(rows(db.select(query.text, query.bindings({k: str(v) for k, v in params.items()}))))
    finally:
        db.close()


def test_citations_name_the_citing_bodies_with_level_and_year(folder):
    cited = answer(folder, "citations", document="民营经济促进法")  # the short form a reader would type
    assert cited and {r["document"] for r in cited} == {"中华人民共和国民营经济促进法"}
    assert {r["level"] for r in cited} == {"law"} and {r["year"] for r in cited} == {"2025"}
    assert all(r["agency"] and r["report"] for r in cited)
    assert answer(folder, "citations", document="民营经济促进法", year=2019) == []
    local = answer(folder, "citations", level="地方性法规")
    assert local and {r["level"] for r in local} == {"local-regulation"}


def test_regions_have_their_parent_and_counts(folder):
    regions = {r["region"]: r for r in answer(folder, "regions")}
    haibin = regions["海滨区"]
    assert haibin["level"] == "district" and haibin["parent"] == "云溪市"
    assert int(haibin["reports"]) == 2 and int(haibin["agencies"]) >= 1  # its 2024 and 2025 reports
    assert set(regions) >= {"云溪市", "海滨区"}
    assert {r["region"] for r in answer(folder, "regions", level="district")} == {
        name for name, r in regions.items() if r["level"] == "district"}


def test_reach_follows_a_document_across_districts(folder):
    reach = answer(folder, "reach")
    assert reach
    districts = {r["district"] for r in reach if r.get("district")}
    assert "海滨区" in districts
    one = reach[0]["document"]
    assert {r["document"] for r in answer(folder, "reach", document=one)} == {one}
    assert {r["action"] for r in answer(folder, "reach", action="study")} <= {"study"}


def test_contract_queries_gained_columns(folder):
    implementations = answer(folder, "implementations")
    assert implementations and all(r.get("level") for r in implementations)
    assert any(r.get("district") == "海滨区" for r in implementations)
    documents = answer(folder, "documents")
    assert documents and all(r.get("agency") and r.get("year") for r in documents)
    agencies = answer(folder, "agencies")
    assert any(r.get("parent", "").endswith("人民政府") for r in agencies)
    assert any(r.get("parent_region") == "云溪市" for r in agencies)


def test_cli_and_api_give_the_same_rows(folder):
    cli = json.loads(run_kg("query", "citations", "--store", str(folder), "--format", "json",
                            "--param", "document=民营经济促进法", check=True).stdout)
    db = open_store(folder, read_only=True)
    try:
        with serve(create_app(db)) as url:
            api = httpx.get(url + "/queries/citations", params={"document": "民营经济促进法"},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    finally:
        db.close()
    assert cli["results"]["bindings"] == api["results"]["bindings"]
