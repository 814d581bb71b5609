"""The full-text index: the same hits as the scan it replaces, kept in step with the report
graphs (a replaced report's old entries go), stale after a SPARQL UPDATE until rebuilt, and
used by /search and `kg search`."""
from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from kg.ingest import ingest_paths
from kg.search import PROLOGUE, SearchIndex, entries_of, grams, index_path, match_expression, scan_where
from kg.store import open_store, rows

from .api_fixtures import serve
from .conftest import CORPUS, EXAMPLES, run_kg

QUERIES = ["司法", "光明区", "政务服务和数据", "条例", "法", "的", "2025", "Justice", "无此词语", "深小i"]
def scan(db, q: str) -> set[tuple[str, str, str]]:
    found = db.select(PROLOGUE + f"SELECT DISTINCT ?s ?kind ?text WHERE {{ {scan_where(q)} }}")
    return {(r["s"], r["kind"], r["text"]) for r in rows(found)}


def indexed(db, q: str) -> set[tuple[str, str, str]]:
    total, found, exact = db.search(q, 100000, 0)
    assert exact and total == len(found)
    return {(r["s"], r["kind"], r["text"]) for r in found}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = open_store(tmp_path_factory.mktemp("search") / "store")
    sources = [EXAMPLES] + ([CORPUS] if (CORPUS / "manifest.csv").is_file() else [])
    assert ingest_paths(sources, db).ok
    yield db
    db.close()


@pytest.mark.parametrize("q", QUERIES)
def test_the_index_finds_what_the_scan_finds(store, q):
    assert indexed(store, q) == scan(store, q)


def test_bigrams_and_match_expressions():
    assert len(grams("光明区司法局").split()) == 6
    assert match_expression("司") .endswith("*")
    assert match_expression("司法局").count(" ") == 1  # two bigrams, one phrase
    assert match_expression("  ") is not None and match_expression("") is None


def test_entries_of_a_graph_are_its_labels_and_sentences():
    nt = ('<http://e/a> <http://www.w3.org/2000/01/rdf-schema#label> "光明区\\u53F8法局"@zh .\n'
          '<http://e/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/Agency> .\n'
          '<http://e/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
          '<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence> .\n'
          '<http://e/s> <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> "一句\\"话\\"。" .\n'
          '<http://e/m> <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> "不是句子" .\n')
    assert sorted(entries_of(nt)) == [("http://e/a", "label", "光明区司法局", "http://e/Agency", None),
                                      ("http://e/s", "evidence", '一句"话"。', None, None)]


def test_a_replaced_report_leaves_no_old_entries(tmp_path):
    db = open_store(tmp_path / "store")
    graph = "https://w3id.org/policy-kg/id/graph/x"
    db.replace_ntriples(graph, '<http://e/a> <http://www.w3.org/2000/01/rdf-schema#label> "旧名称甲" .\n')
    assert indexed(db, "旧名称") == {("http://e/a", "label", "旧名称甲")}
    db.replace_ntriples(graph, '<http://e/a> <http://www.w3.org/2000/01/rdf-schema#label> "新名称乙" .\n')
    assert indexed(db, "旧名称") == set()
    assert indexed(db, "新名称") == {("http://e/a", "label", "新名称乙")}
    db.close()


def test_the_index_ingest_workers_write_is_the_one_kg_index_rebuilds(tmp_path):
    """With worker processes, the index rows come made from the workers (kg.search.prepared_entries);
    the index they give is the one ``kg index`` makes again from the stored graphs."""
    import sqlite3

    from kg.parallel import ingest_paths_parallel

    db = open_store(tmp_path / "s")
    sources = [EXAMPLES] + ([CORPUS] if (CORPUS / "manifest.csv").is_file() else [])
    try:
        assert ingest_paths_parallel(sources, db, jobs=2).ok

        def dump():
            con = sqlite3.connect(index_path(tmp_path / "s"))
            try:
                entries = sorted(con.execute("SELECT s, kind, text, type, report FROM entries"))
                members = sorted(con.execute("SELECT m.graph, e.s, e.kind, e.text FROM members m "
                                             "JOIN entries e ON e.id = m.entry"))
            finally:
                con.close()
            return entries, members, {q: indexed(db, q) for q in QUERIES}

        written = dump()
        assert len(written[0]) > 100 and any(written[2].values())
        db.reindex()
        assert dump() == written
    finally:
        db.close()


def test_an_index_left_beside_a_deleted_store_starts_empty(tmp_path):
    import shutil

    db = open_store(tmp_path / "store")
    db.replace_ntriples("https://w3id.org/policy-kg/id/graph/x",
                        '<http://e/a> <http://www.w3.org/2000/01/rdf-schema#label> "光明区司法局" .\n')
    db.close()
    shutil.rmtree(tmp_path / "store")  # the store folder goes, its index file stays
    assert index_path(tmp_path / "store").is_file()
    db = open_store(tmp_path / "store")
    try:
        assert db.search("司法局", 10, 0) == (0, [], True)
    finally:
        db.close()


def test_an_update_makes_the_index_stale_until_rebuilt(tmp_path):
    db = open_store(tmp_path / "store")
    assert ingest_paths([EXAMPLES], db).ok
    db.update('INSERT DATA { GRAPH <http://e/g> { <http://e/n> <http://www.w3.org/2000/01/rdf-schema#label> "更新所加" } }')
    assert db.search("更新所加", 10, 0) is None  # stale: callers scan instead
    db.close()
    proc = run_kg("index", "--store", str(tmp_path / "store"), check=True)
    assert "indexed" in proc.stdout + proc.stderr
    db = open_store(tmp_path / "store", read_only=True)
    assert indexed(db, "更新所加") == {("http://e/n", "label", "更新所加")}
    db.close()


def test_search_endpoint_and_cli_use_the_index(store, tmp_path):
    with serve(create_app(store)) as url:
        answer = httpx.get(url + "/search", params={"q": "司法", "limit": 5}, timeout=30).json()
    total, first, _ = store.search("司法", 5, 0)
    assert answer["total"] == total == len(scan(store, "司法"))
    assert [item["text"] for item in answer["items"]] == [r["text"] for r in first]
    assert index_path(store.location).is_file()
    cli = run_kg("search", "司法局", "--store", str(tmp_path / "nothing-here"))
    assert cli.returncode != 0 and "no store" in cli.stderr


def test_a_common_query_counts_up_to_the_cap_and_says_so(tmp_path, monkeypatch):
    import kg.search

    monkeypatch.setattr(kg.search, "COUNT_CAP", 3)
    db = open_store(tmp_path / "store")
    for i in range(6):
        db.replace_ntriples(f"https://w3id.org/policy-kg/id/graph/g{i}",
                            f'<http://e/n{i}> <http://www.w3.org/2000/01/rdf-schema#label> "共同名称{i}" .\n')
    total, found, exact = db.search("共同", 10, 0)
    assert total == 3 and not exact and len(found) == 6  # the total is a lower bound; all hits come
    assert [r["text"] for r in db.search("共同", 2, 5)[1]] == ["共同名称5"]
    total, found, exact = db.search("名称5", 10, 0)
    assert exact and total == 1
    db.close()


def test_a_text_many_graphs_hold_is_one_hit_until_the_last_goes(tmp_path):
    db = open_store(tmp_path / "store")
    line = '<http://e/agency> <http://www.w3.org/2000/01/rdf-schema#label> "共享机关名" .\n'
    for i in range(3):
        db.replace_ntriples(f"https://w3id.org/policy-kg/id/graph/g{i}", line)
    assert indexed(db, "共享机关") == {("http://e/agency", "label", "共享机关名")}
    for i in range(2):
        db.drop_graph(f"https://w3id.org/policy-kg/id/graph/g{i}")
    assert indexed(db, "共享机关") == {("http://e/agency", "label", "共享机关名")}
    db.drop_graph("https://w3id.org/policy-kg/id/graph/g2")
    assert indexed(db, "共享机关") == set()
    db.close()


def test_an_index_of_an_older_form_is_stale_until_kg_index_rebuilds_it(tmp_path):
    import sqlite3

    store = open_store(tmp_path / "s")
    store.bulk_replace([("https://w3id.org/policy-kg/id/graph/a",
                         '<http://e/a> <http://www.w3.org/2000/01/rdf-schema#label> "光明区司法局"@zh .\n')])
    assert store.search("司法", 10, 0)[0] == 1
    store.close()
    db = sqlite3.connect(index_path(tmp_path / "s"))
    db.execute("UPDATE state SET value = 'hex-bigrams' WHERE key = 'format'")  # as an older version wrote it
    db.commit()
    db.close()
    store = open_store(tmp_path / "s")
    try:
        assert store.search("司法", 10, 0) is None  # not used: /search and kg search scan the store
        assert store.reindex() == 1
        assert store.search("司法", 10, 0)[0] == 1
    finally:
        store.close()


def test_characters_outside_the_basic_plane_are_found(tmp_path):
    store = open_store(tmp_path / "s")
    try:
        store.bulk_replace([("https://w3id.org/policy-kg/id/graph/a",
                             '<http://e/a> <http://www.w3.org/2000/01/rdf-schema#label> "𠀀𠀁村委会"@zh .\n')])
        for query in ("𠀀", "𠀁", "𠀀𠀁", "𠀁村", "村委会"):
            assert store.search(query, 10, 0)[0] == 1, query
        assert store.search("𠀁𠀀", 10, 0)[0] == 0
    finally:
        store.close()
