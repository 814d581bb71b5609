"""Commitments kept or missed (issue 15): indicators as concepts, targets and plans followed into
the body's next report, in any ingest order, answered by one query file for the CLI and the API."""
from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal

import httpx
import pytest
from rdflib import URIRef

from kg.indicators import comparable, indicator_for, normal_form
from kg.ingest import ingest_paths
from kg.progress import outcome, progress_graph
from kg.queries import get_query
from kg.store import open_store, rows, with_values
from kg.graph.vocab import entity_iri

from .api_fixtures import serve
from .conftest import EXAMPLES, run_kg

# What the example reports of 2024 promised for 2025, and what their 2025 reports say.
EXPECTED_TARGETS = {
    ("云溪市人民政府", "地区生产总值增长"): ("5.3", "met"),          # 5%左右 → 5.3%
    ("云溪市人民政府", "一般公共预算收入增长"): ("4.1", "exceeded"),  # 3.5% → 4.1%
    ("云溪市人民政府", "城镇新增就业"): ("62000", "missed"),          # 6.5万人以上 → 6.2万人
    ("云溪市人民政府", "城镇调查失业率"): ("4.9", "met"),             # 5%以内 → 4.9%
    ("云溪市人民政府", "居民消费价格涨幅"): ("", "not-reported"),     # 3%左右 → not said
    ("海滨区司法局", "局党组全年开展集中学法"): ("12", "met"),        # 不少于12次 → 12次
    ("海滨区司法局", "专题培训"): ("3", "missed"),                    # 不少于5场 → 3场
    ("海滨区司法局", "宣传资料"): ("12000", "exceeded"),             # 1万份左右 → 1.2万份
    ("海滨区司法局", "调解成功率"): ("98.2", "met"),                  # 95%以上 → 98.2%
    ("海滨区司法局", "平均办理时长"): ("4.5", "met"),                 # 5个工作日以内 → 4.5
    ("海滨区司法局", "法律明白人"): ("1000", "exceeded"),             # 800名 → 近千名
    ("海滨区司法局", "新增人民调解员"): ("", "not-reported"),         # 40名 → not said
}
EXPECTED_PLANS = {
    ("海滨区司法局", "海滨区行政规范性文件管理办法"): "done",
    ("海滨区司法局", "海滨区行政执法责任制规定"): "not-reported",
    ("云溪市人民政府", "云溪市促进民营经济高质量发展若干措施"): "done",
    ("云溪市人民政府", "云溪市政务服务管理办法"): "not-reported",
    ("云溪市人民政府", "云溪办政务服务平台"): "done",  # an initiative the plan names (加快上线“云溪办”政务服务平台)
}


def query_rows(store, name: str, **params: str) -> list[dict[str, str]]:
    query = get_query(name)
    return list(rows(store.select(with_values(query.text, query.bindings(params)))))


def progress_state(store) -> set:
    """Every triple of every progress graph (the checks and their provenance)."""
    found = store.select("""SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
        FILTER (STRSTARTS(STR(?g), "https://w3id.org/policy-kg/id/graph/progress/")) }""")
    return {tuple(row.values()) for row in rows(found)}


def one_report(folder, report_id: str):
    """A folder with only one example report and its manifest row."""
    folder.mkdir()
    with (EXAMPLES / "manifest.csv").open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    row = next(r for r in lines if r["id"] == report_id)
    shutil.copy(EXAMPLES / row["file"], folder / row["file"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    (folder / "manifest.csv").write_text(out.getvalue(), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def examples_store(tmp_path_factory):
    db = open_store(tmp_path_factory.mktemp("progress") / "store")
    summary = ingest_paths([EXAMPLES], db)
    assert summary.ok, summary.errors
    yield db
    db.close()


# --- indicators -----------------------------------------------------------------------------

def test_seeded_indicators_join_surface_forms_of_one_quantity():
    gdp = indicator_for("地区生产总值增长", "%")
    assert gdp.seeded and gdp.english == "GDP growth"
    for surface in ("经济增长", "GDP增速", "全省地区生产总值增长", "全市地区生产总值增速", "生产总值增长"):
        assert indicator_for(surface, "%").iri == gdp.iri, surface
    assert indicator_for("居民消费价格指数上涨", "%").iri == indicator_for("CPI涨幅", "%").iri
    assert indicator_for("城镇新增就业人数", "人").iri == indicator_for("新增就业", "人").iri
    assert indicator_for("粮食产量", "斤").iri == indicator_for("粮食产量", "吨").iri  # one mass, converted
    assert indicator_for("粮食产量继续保持", "斤").iri == indicator_for("粮食产量", "斤").iri  # an empty tail
    assert indicator_for("地区生产总值按增长", "%").iri == gdp.iri


def test_different_quantities_never_share_an_indicator():
    gdp_growth = indicator_for("地区生产总值增长", "%")
    assert indicator_for("一般公共预算收入增长", "%").iri != gdp_growth.iri   # whose growth
    assert indicator_for("地区生产总值", "元").iri != gdp_growth.iri          # a level, not a rate
    assert indicator_for("地区生产总值增长", "元").iri != gdp_growth.iri      # unit mismatch: no seed
    assert indicator_for("地区生产总值年均增长", "%").iri != gdp_growth.iri   # a multi-year average
    assert indicator_for("专题培训", "场").iri != indicator_for("专题培训", "人次").iri
    assert indicator_for("服务企业", "家").iri != indicator_for("服务企业", "个").iri
    assert indicator_for("城镇调查失业率", "%").iri != indicator_for("城镇调查失业率", "个百分点").iri
    assert not comparable("个", "家") and comparable("斤", "吨")


def test_counts_of_things_done_are_named_by_what_is_counted():
    assert normal_form("全年开展专题宣讲", "场") == normal_form("专题宣讲", "场") == "专题宣讲"
    assert indicator_for("组织专题培训", "场").iri == indicator_for("专题培训", "场").iri
    assert normal_form("培育法律明白人", "名") == "法律明白人"
    # a verb of doing is kept where the quantity is no count: 实施 is the subject's word here
    assert normal_form("新增人民调解员", "名") == "新增人民调解员"  # 新增 changes the quantity: kept
    assert indicator_for("平均办理时长", "个工作日").direction == "down"
    assert indicator_for("城镇调查失业率", "%").direction == "down"


@pytest.mark.parametrize("comparator, value, upper, result, direction, expected", [
    ("about", "5", None, "5.3", "up", "met"), ("about", "5", None, "5.6", "up", "exceeded"),
    ("about", "5", None, "4.4", "up", "missed"), ("about", "2", None, "0.2", "neutral", "missed"),
    ("about", "2", None, "2.1", "neutral", "met"), ("at-least", "95", None, "98.2", "up", "met"),
    ("at-least", "5", None, "3", "up", "missed"), ("at-least", "10", None, "12", "up", "exceeded"),
    ("at-most", "5", None, "4.5", "down", "met"), ("at-most", "5", None, "5.2", "down", "missed"),
    ("at-most", "5", None, "4", "down", "exceeded"), ("range", "4.5", "5", "4.8", "up", "met"),
    ("range", "4.5", "5", "5.5", "up", "exceeded"), ("range", "4.5", "5", "4.2", "up", "missed"),
    ("exact", "3.5", None, "4.1", "up", "exceeded"), ("exact", "800", None, "800", "up", "met"),
    ("exact", "5", None, "4", "down", "exceeded"),
])
def test_outcome_by_comparator(comparator, value, upper, result, direction, expected):
    assert outcome(comparator, Decimal(value), Decimal(upper) if upper else None, Decimal(result),
                   direction) == expected


# --- the examples ---------------------------------------------------------------------------

def test_every_target_outcome_on_the_examples(examples_store):
    found = {(r["body"], r["indicator"]): (r.get("result", ""), r["outcome"])
             for r in query_rows(examples_store, "progress")}
    assert found == EXPECTED_TARGETS
    assert {o for _, o in found.values()} == {"met", "exceeded", "missed", "not-reported"}


def test_no_false_match_between_indicators(examples_store):
    """Every check compares a target with a metric of the same indicator concept and body."""
    bad = examples_store.select("""
        PREFIX pkg: <https://w3id.org/policy-kg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?check WHERE { GRAPH ?pg { ?check pkg:target ?t ; pkg:result ?m ; prov:wasAttributedTo ?body }
          GRAPH ?g { ?t pkg:measures ?a ; prov:wasAttributedTo ?tb } GRAPH ?h { ?m pkg:measures ?b ; prov:wasAttributedTo ?mb }
          FILTER (?a != ?b || ?tb != ?body || ?mb != ?body) }""")
    assert list(rows(bad)) == []
    # the GDP level (2860亿元) and the revenue level are in the same report, never matched to a growth target
    results = {r["indicator"]: r.get("result") for r in query_rows(examples_store, "progress", body="云溪市人民政府")}
    assert results["地区生产总值增长"] == "5.3" and results["一般公共预算收入增长"] == "4.1"


def test_every_plan_outcome_on_the_examples(examples_store):
    found = {(r["body"], r["object"]): r["outcome"] for r in query_rows(examples_store, "plans-done")}
    assert found == EXPECTED_PLANS
    done = [r for r in query_rows(examples_store, "plans-done", outcome="已落实")]
    assert {r["later_report"] for r in done} == {"haibin-sfj-2025", "yunxi-gzbg-2025"}
    assert all("《" in r["later_action"] for r in done if r["object"] != "云溪办政务服务平台")
    assert next(r for r in done if r["object"] == "云溪办政务服务平台")["later_report"] == "yunxi-gzbg-2025"


def test_checks_carry_both_sentences_as_provenance(examples_store):
    row = next(r for r in query_rows(examples_store, "progress", body="海滨区司法局") if r["indicator"] == "专题培训")
    assert "不少于5场" in row["target_sentence"] and "专题培训3场" in row["result_sentence"]
    sentences = examples_store.select(f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        SELECT ?text WHERE {{ GRAPH ?pg {{ <{row['check']}> prov:wasDerivedFrom ?s }} GRAPH ?g {{ ?s nif:anchorOf ?text }} }}""")
    assert {r["text"] for r in rows(sentences)} == {row["target_sentence"], row["result_sentence"]}


def test_query_parameters_filter(examples_store):
    missed = query_rows(examples_store, "progress", outcome="missed")
    assert {(r["body"], r["indicator"]) for r in missed} == {("云溪市人民政府", "城镇新增就业"), ("海滨区司法局", "专题培训")}
    assert {r["body"] for r in query_rows(examples_store, "progress", jurisdiction="海滨区")} == {"海滨区司法局"}
    assert query_rows(examples_store, "progress", year="2026") == []  # no 2026 reports yet
    body = str(entity_iri("agency", "海滨区司法局"))
    assert len(query_rows(examples_store, "progress", body=body)) == 7


# --- order independence ---------------------------------------------------------------------

@pytest.mark.parametrize("order", [
    ["haibin-sfj-2024", "haibin-sfj-2025"],
    ["haibin-sfj-2025", "haibin-sfj-2024"],
    ["haibin-sfj-2025", "haibin-sfj-2024", "haibin-sfj-2025", "haibin-sfj-2024"],
])
def test_ingest_order_gives_the_same_checks(tmp_path, order, examples_store):
    folders = {rid: one_report(tmp_path / rid, rid) for rid in dict.fromkeys(order)}
    db = open_store(tmp_path / "store")
    try:
        for step, rid in enumerate(order):
            assert ingest_paths([folders[rid]], db).ok
            if step == 0:
                assert progress_state(db) == set()  # one year alone: nothing to check yet
        expected = {t for t in progress_state(examples_store)
                    if t[0] == str(progress_graph(entity_iri("agency", "海滨区司法局")))}
        assert expected and progress_state(db) == expected
    finally:
        db.close()


def test_replacing_a_report_recomputes_the_checks(tmp_path):
    folder = one_report(tmp_path / "y24", "yunxi-gzbg-2024")
    later = one_report(tmp_path / "y25", "yunxi-gzbg-2025")
    db = open_store(tmp_path / "store")
    try:
        assert ingest_paths([folder, later], db).ok
        assert {r["outcome"] for r in query_rows(db, "progress") if r["indicator"] == "城镇新增就业"} == {"missed"}
        text = (later / "yunxi-gzbg-2025.txt").read_text(encoding="utf-8")
        (later / "yunxi-gzbg-2025.txt").write_text(text.replace("城镇新增就业6.2万人", "城镇新增就业6.8万人"),
                                                   encoding="utf-8")
        assert ingest_paths([later], db).ok
        assert {r["outcome"] for r in query_rows(db, "progress") if r["indicator"] == "城镇新增就业"} == {"met"}
    finally:
        db.close()


# --- CLI and API: one query file each -------------------------------------------------------

def test_cli_and_api_answer_from_the_same_query_file(tmp_path):
    store_path = tmp_path / "store"
    run_kg("ingest", "-q", str(EXAMPLES), "--store", str(store_path), check=True)
    cli = run_kg("query", "progress", "--store", str(store_path), "-f", "csv", "-p", "body=海滨区司法局", check=True)
    cli_rows = list(csv.DictReader(io.StringIO(cli.stdout)))
    assert {(r["indicator"], r["outcome"]) for r in cli_rows} == \
        {(i, o) for (b, i), (_, o) in EXPECTED_TARGETS.items() if b == "海滨区司法局"}

    from api.app import create_app

    agency = str(entity_iri("agency", "海滨区司法局")).rsplit("/", 1)[-1]
    with serve(create_app(str(store_path))) as base:
        answer = httpx.get(f"{base}/agencies/{agency}/progress", timeout=60).json()
        assert {(t["indicator"]["label"], t["outcome"]) for t in answer["targets"]} == \
            {(r["indicator"], r["outcome"]) for r in cli_rows}
        assert {(p["object"]["label"], p["outcome"]) for p in answer["plans"]} == \
            {(o, v) for (b, o), v in EXPECTED_PLANS.items() if b == "海滨区司法局"}
        only = httpx.get(f"{base}/agencies/{agency}/progress", params={"outcome": "exceeded"}, timeout=60).json()
        assert {t["indicator"]["label"] for t in only["targets"]} == {"宣传资料", "法律明白人"}
        assert httpx.get(f"{base}/agencies/{agency}/progress", params={"outcome": "perhaps"},
                         timeout=60).status_code == 422
        page = httpx.get(f"{base}/id/agency/{agency}", headers={"Accept": "text/html"}, timeout=60).text
        assert 'id="progress"' in page and "专题培训" in page and "missed" in page


def test_gephi_view_agency_indicator_carries_outcome_and_year(examples_store, tmp_path):
    from kg.export import build_network, write_export

    network = build_network(examples_store, "agency-indicator")
    edges = {(network.nodes[s]["label"], network.nodes[t]["label"], d["label"], d["year"])
             for s, t, d in network.edges(data=True)}
    assert edges == {(b, i, o, 2025) for (b, i), (_, o) in EXPECTED_TARGETS.items()}
    assert {d["kind"] for _, d in network.nodes(data=True)} == {"agency", "indicator"}
    gexf = write_export(network, "gexf", tmp_path / "progress.gexf")[0].read_text(encoding="utf-8")
    assert "not-reported" in gexf and "城镇新增就业" in gexf


def test_synthetic_corpus_makes_consecutive_years_that_are_followed(tmp_path):
    from bench.corpus import write_corpus

    write_corpus(tmp_path / "corpus", 24, seed=3, pairs=True)
    with (tmp_path / "corpus" / "manifest.csv").open(encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    first, second = manifest[0], manifest[1]
    assert second["id"] == first["id"] + "-next" and second["agency"] == first["agency"]
    assert int(second["year"]) == int(first["year"]) + 1
    db = open_store(tmp_path / "store")
    try:
        assert ingest_paths([tmp_path / "corpus"], db).ok
        found = query_rows(db, "progress")
        assert found and {r["result_report"] for r in found if r.get("result_report")} <= \
            {r["id"] for r in manifest if r["id"].endswith("-next")}
        assert {r["indicator"] for r in found} >= {"地区生产总值增长"}
    finally:
        db.close()


def test_a_renamed_body_is_followed_under_its_successor_name(tmp_path):
    """kg/lexicons/successors.tsv: 深圳市政务服务数据管理局 became 深圳市政务服务和数据管理局."""
    folder = tmp_path / "renamed"
    folder.mkdir()
    (folder / "old-2024.txt").write_text(
        "深圳市政务服务数据管理局2024年法治政府建设年度报告\n一、2024年主要工作\n全年受理政务服务事项1200万件。\n"
        "二、2025年工作计划\n推动政务服务事项网上可办率达到95%以上。\n", encoding="utf-8")
    (folder / "new-2025.txt").write_text(
        "深圳市政务服务和数据管理局2025年法治政府建设年度报告\n一、2025年主要工作\n政务服务事项网上可办率达到98%。\n"
        "二、2026年工作计划\n持续优化政务服务。\n", encoding="utf-8")
    (folder / "manifest.csv").write_text(
        "id,file,title,agency,jurisdiction,year,url\n"
        "sz-old-2024,old-2024.txt,深圳市政务服务数据管理局2024年法治政府建设年度报告,深圳市政务服务数据管理局,深圳市,2024,\n"
        "sz-new-2025,new-2025.txt,深圳市政务服务和数据管理局2025年法治政府建设年度报告,深圳市政务服务和数据管理局,深圳市,2025,\n",
        encoding="utf-8")
    db = open_store(tmp_path / "store")
    try:
        assert ingest_paths([folder], db).ok
        found = query_rows(db, "progress", body="深圳市政务服务和数据管理局")
        assert [(r["target_report"], r["result_report"], r["outcome"]) for r in found] == \
            [("sz-old-2024", "sz-new-2025", "met")]
    finally:
        db.close()
