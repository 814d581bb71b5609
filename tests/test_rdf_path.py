"""The fast RDF path: a report built as N-Triples terms (kg.graph.rdf.build_triples) is the same
set of triples as rdflib's build (kg.graph.rdf.build_graph), written the same way, and is what
ingest stores.

Every report of the seeds (../shared/corpus), the development set (../shared/corpus-dev) and
examples/ is built both ways and compared as sets of parsed triples and as sets of N-Triples
lines; hostile literals (quotes, newlines, backslashes, language tags, datatypes) are written
as rdflib writes them; and an ingested report's named graph holds exactly rdflib's triples.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.authority import default_authority
from kg.extract import extract
from kg.ingest import ingest_paths, report_graph_of, report_triples_of
from kg.graph.rdf import build_graph, build_triples
from kg.read import discover, read_report
from kg.resolve import resolve
from kg.graph.triples import ReportTriples, iri, term
from kg.graph.vocab import report_graph

from .conftest import EXAMPLES, SHARED, EXAMPLE_REPORTS

FOLDERS = [folder for folder in (SHARED / "corpus", SHARED / "corpus-dev", EXAMPLES) if folder.is_dir()]
AUTHORITY = default_authority()


def reports():
    for folder in FOLDERS:
        found, errors = discover([folder])
        assert found and not errors
        for path, meta in found:
            yield pytest.param(path, meta, id=f"{folder.name}/{path.stem}")


def rdflib_lines(graph: Graph) -> set[str]:
    return set(graph.serialize(format="nt").splitlines()) - {""}


@pytest.mark.parametrize("path, meta", list(reports()))
def test_triples_are_rdflibs_triples_written_as_rdflib_writes_them(path, meta):
    extraction = extract(read_report(path, meta))
    resolution = resolve(extraction, AUTHORITY)
    graph = build_graph(extraction, resolution)
    triples = build_triples(extraction, resolution)
    assert len(triples) == len(graph) > 0
    text = triples.ntriples()
    assert set(Graph().parse(data=text, format="nt")) == set(graph)
    assert set(text.decode("utf-8").splitlines()) == rdflib_lines(graph)


@pytest.mark.parametrize("path, meta", list(reports()))
def test_the_search_index_reads_the_same_entries_from_both_builds(path, meta):
    """The full-text index reads the same entries from the fast build's text as from rdflib's."""
    from kg.search import entries_of

    extraction = extract(read_report(path, meta))
    resolution = resolve(extraction, AUTHORITY)
    graph = build_graph(extraction, resolution)
    assert entries_of(build_triples(extraction, resolution).ntriples()) == entries_of(graph.serialize(format="nt"))


@pytest.mark.parametrize("path, meta", list(reports()))
def test_workers_make_the_index_rows_the_writer_would_read(path, meta):
    """Ingest workers make a report's search-index rows from its ReportTriples (no text to
    parse): the same rows, in the same order, as entries_of reads from the N-Triples, each with
    the tokens grams() makes."""
    from kg.search import entries_of, grams, prepared_entries

    triples = report_triples_of(read_report(path, meta), AUTHORITY)
    expected = [row + (grams(row[2]),) for row in entries_of(triples.ntriples())]
    assert prepared_entries(triples) == expected
    assert any(row[1] == "evidence" for row in expected) and any(row[1] == "label" for row in expected)


def test_index_rows_of_hostile_literals_blank_nodes_and_several_types():
    from kg.search import entries_of, grams, prepared_entries

    label, pref = URIRef("http://www.w3.org/2000/01/rdf-schema#label"), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    nif = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
    part_of = URIRef("http://purl.org/dc/terms/isPartOf")
    a, s1, s2 = URIRef("http://e/a"), URIRef("http://e/s1"), URIRef("http://e/s2")
    triples = ReportTriples()
    for triple in [
        (a, rdf_type, URIRef("http://e/Agency")), (a, rdf_type, URIRef("http://e/Body")),
        (a, label, Literal('光明区"司法局"\\\n第二行', lang="zh")), (a, pref, Literal("光明", datatype=XSD.string)),
        (a, label, Literal("𠀋字")), (BNode("b1"), label, Literal("空白节点")),
        (s2, rdf_type, URIRef(nif + "Sentence")), (s2, URIRef(nif + "anchorOf"), Literal("第二句。")),
        (s2, part_of, URIRef("http://e/report")),
        (s1, rdf_type, URIRef(nif + "Sentence")), (s1, URIRef(nif + "anchorOf"), Literal("第一句\t含制表符。")),
        (URIRef("http://e/s3"), rdf_type, URIRef(nif + "Sentence")),  # no text: no row
        (URIRef("http://e/i"), rdf_type, URIRef("http://www.w3.org/2004/02/skos/core#Concept")),
        (URIRef("http://e/i"), rdf_type, URIRef("https://w3id.org/policy-kg/ontology#Indicator")),
        (URIRef("http://e/i"), pref, Literal("地区生产总值", lang="zh")),
    ]:
        triples.add(triple)
    rows = prepared_entries(triples)
    assert rows == [row + (grams(row[2]),) for row in entries_of(triples.ntriples())]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("http://e/a", "label", '光明区"司法局"\\\n第二行', "http://e/Agency", None),
        ("http://e/a", "label", "𠀋字", "http://e/Agency", None),
        ("http://e/a", "label", "光明", "http://e/Agency", None),
        # the model's own class, whichever type was written first (the store's order differs)
        ("http://e/i", "label", "地区生产总值", "https://w3id.org/policy-kg/ontology#Indicator", None),
        ("http://e/s1", "evidence", "第一句\t含制表符。", None, None),
        ("http://e/s2", "evidence", "第二句。", None, "http://e/report"),
    ]


def test_the_examples_are_all_there():
    """The comparison above runs on the seeds and the development set when ../shared holds them."""
    names = {path.stem for folder in FOLDERS for path, _ in discover([folder])[0]}
    assert {"haibin-sfj-2025", "yunxi-gzbg-2025"} <= names


HOSTILE = [
    Literal('a "quoted"\nline\r\nwith \\ and \t tab'),
    Literal("标题", lang="zh"),
    Literal("Title", lang="en-GB"),
    Literal(5),
    Literal(Decimal("1.50")),
    Literal("2024-01-01", datatype=XSD.date),
    Literal("x", datatype=URIRef("https://example.org/dt")),
    Literal(""),
    URIRef("https://example.org/a?b=c&d=%20#e"),
]


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v)[:40] for v in HOSTILE])
def test_any_term_is_written_as_rdflib_writes_it(value):
    graph = Graph(bind_namespaces="none")
    triple = (URIRef("https://example.org/s"), URIRef("https://example.org/p"), value)
    graph.add(triple)
    triples = ReportTriples()
    triples.add(triple)
    assert triples.ntriples().decode("utf-8").splitlines() == graph.serialize(format="nt").split("\n")[:1]
    assert set(Graph().parse(data=triples.ntriples(), format="nt")) == {triple}


def test_a_blank_node_and_a_bad_iri():
    node = BNode("b1")
    assert term(node) == "_:b1"
    with pytest.raises(ValueError, match="valid URI"):
        iri("https://example.org/a b")
    graph = Graph()
    graph.add((URIRef("https://example.org/s"), URIRef("https://example.org/p"), URIRef("https://example.org/a b")))
    with pytest.raises(Exception, match="valid URI"):  # rdflib refuses it the same way
        graph.serialize(format="nt")


def test_report_triples_round_trip_through_an_rdflib_graph():
    report = read_report(EXAMPLES / "haibin-sfj-2025.txt")
    triples = report_triples_of(report, AUTHORITY)
    assert set(triples.graph()) == set(report_graph_of(report, AUTHORITY))
    assert ReportTriples.from_graph(triples.graph()).triples == triples.triples


def test_ingest_stores_exactly_rdflibs_triples(store, examples_copy):
    summary = ingest_paths([examples_copy], store)
    assert summary.ok and len(summary.stored) == EXAMPLE_REPORTS
    for outcome in summary.stored:
        path = Path(outcome.source)
        metas = dict(discover([examples_copy])[0])
        expected = set(report_graph_of(read_report(path, metas[path]), AUTHORITY))
        stored = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{report_graph(outcome.report_id)}> {{ ?s ?p ?o }} }}")
        assert set(stored) == expected
        assert outcome.triples == len(expected)


def test_the_rdf_path_benchmark_runs_and_compares_like_with_like(tmp_path, capsys):
    """bench/rdf_path.py on the examples (one run, no pyshacl): every variant over the same
    triples, all conforming, and the table printed."""
    import json

    from bench.rdf_path import main

    out = tmp_path / "rdf-path.json"
    assert main([str(EXAMPLES), "--repeat", "1", "--no-pyshacl", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["reports"] == EXAMPLE_REPORTS and result["triples"] > 1000
    assert set(result["both"]) == {"old serial ingest", "old parallel ingest", "new"}
    assert "compiled shapes on N-Triples terms (new)" in result["validate"]
    assert result["triples_per_s_both_new"] > 0
    assert "| both | new |" in capsys.readouterr().out


@pytest.mark.parametrize("path, meta", list(reports()))
def test_the_lines_come_in_rdflibs_order(path, meta):
    """ReportTriples keeps subject → predicate → objects as rdflib's memory store does: the text
    is rdflib's N-Triples line for line, not only as a set (a subject's lines together, its
    first type first), so the validator reads the same index the store text is written from."""
    extraction = extract(read_report(path, meta))
    resolution = resolve(extraction, AUTHORITY)
    lines = build_graph(extraction, resolution).serialize(format="nt").splitlines()
    assert build_triples(extraction, resolution).ntriples().decode("utf-8").splitlines() == [x for x in lines if x]


def test_literals_written_once_per_value_and_type():
    """The N-Triples form's decimal and date literals are rdflib's, made once per value: equal
    values written differently (1.5, 1.50, the float 1.5, the int 2 and the Decimal 2) each keep
    their own lexical form, whichever came first."""
    from kg.graph.rdf import NTRIPLES, date, decimal

    for value in (Decimal("1.5"), Decimal("1.50"), 1.5, "1.50", 2, Decimal("2"), Decimal("2.0"), "2")[::-1] * 2:
        assert NTRIPLES.decimal(value) == term(decimal(value))
    for value in ("2024-01-01", "2024-1-1", "2024-02-30"):
        assert NTRIPLES.date(value) == term(date(value))
    assert NTRIPLES.decimal(Decimal("1.50")) != NTRIPLES.decimal(Decimal("1.5"))


def test_remembered_namespace_terms():
    """kg.graph.triples.Remembered gives the namespace's terms, the same object each time, and still
    refuses a term a closed namespace does not define."""
    from rdflib.namespace import RDF

    from kg.graph.triples import Remembered
    from kg.graph.vocab import ADMIN

    rdf, admin = Remembered(RDF), Remembered(ADMIN)
    assert rdf.type == RDF.type and rdf.type is rdf.type
    assert admin["provincial"] == ADMIN["provincial"] and admin["provincial"] is admin["provincial"]
    assert str(admin) == str(ADMIN)
    with pytest.raises(AttributeError):
        rdf.notATerm


def test_report_triples_dedupe_and_count():
    """Added twice (as rdflib terms or as written terms) is there once; len counts triples."""
    s, p = URIRef("https://example.org/s"), URIRef("https://example.org/p")
    triples = ReportTriples()
    triples.add((s, p, Literal("x", lang="zh")))
    triples.add((s, p, '"x"@zh'))
    triples.add_terms("<https://example.org/s>", "<https://example.org/p>", '"x"@zh')
    triples.add((s, p, URIRef("https://example.org/o")))
    triples.add((URIRef("https://example.org/t"), p, s))
    assert len(triples) == 3
    assert list(triples) == [("<https://example.org/s>", "<https://example.org/p>", '"x"@zh'),
                             ("<https://example.org/s>", "<https://example.org/p>", "<https://example.org/o>"),
                             ("<https://example.org/t>", "<https://example.org/p>", "<https://example.org/s>")]
    with pytest.raises(ValueError, match="valid URI"):
        triples.add((s, p, URIRef("https://example.org/a b")))


def collections_during(fn) -> int:
    """How many cyclic GC passes start while ``fn()`` runs, the collector set to run at every
    allocation: a few for the calls around a pause, hundreds for work that does not pause it."""
    import gc

    passes = []
    callback = lambda phase, info: passes.append(1) if phase == "start" else None  # noqa: E731
    threshold = gc.get_threshold()
    gc.callbacks.append(callback)
    gc.set_threshold(1)
    try:
        fn()
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(callback)
    return len(passes)


def test_the_build_pauses_the_collector_and_turns_it_back_on():
    """build_triples runs without the cyclic GC (kg.gcpause: its index holds no cycles) and
    turns it back on, also when the build fails; a collector paused by the caller stays paused."""
    import gc
    from dataclasses import replace

    from kg.urls import BadURL

    report = read_report(EXAMPLES / "haibin-sfj-2025.txt")
    extraction = extract(report)
    resolution = resolve(extraction, AUTHORITY)
    assert gc.isenabled()
    assert collections_during(lambda: build_triples(extraction, resolution)) <= 10  # around the pause
    assert gc.isenabled()
    assert collections_during(lambda: ReportTriples(list(build_triples(extraction, resolution)))) > 100  # the probe works
    bad = extract(replace(report, meta=replace(report.meta, url="javascript:alert(1)")))
    with pytest.raises(BadURL):
        build_triples(bad, resolve(bad, AUTHORITY))
    assert gc.isenabled()
    gc.disable()
    try:
        build_triples(extraction, resolution)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_fact_iris_written_without_a_uriref_are_vocabs():
    """The N-Triples build mints fact IRIs as text (kg.graph.vocab.fact_iri_text): the same IRI as
    kg.graph.vocab.fact_iri, for any report id (one needing escapes too) and key."""
    from kg.graph.rdf import NTRIPLES, RDFLIB
    from kg.graph.vocab import fact_iri

    for rid, kind, key in (("r-2024", "sentence", (3, 120)), ("光明 区/2024", "mention", ("agency", 0, 5)),
                           ("a~b", "action", (1, 2, "implement"))):
        assert NTRIPLES.fact(rid, kind, *key) == iri(fact_iri(rid, kind, *key)) == iri(RDFLIB.fact(rid, kind, *key))
