"""Stages 6–8 together: the graph of a report validates, is stored as one named graph, and a
re-ingest replaces it; bad reports are refused with a reason while the batch goes on."""
from __future__ import annotations

from pathlib import Path

from rdflib import Literal
from rdflib.namespace import RDF

from kg.ingest import ingest_paths, report_graph_of
from kg.read import read_report
from kg.graph.validate import validate
from kg.graph.vocab import NIF, PKG, report_graph

from .conftest import EXAMPLES


def test_example_graphs_conform_and_every_fact_has_evidence():
    for path in sorted(EXAMPLES.glob("*.txt")):
        report = read_report(path)
        graph = report_graph_of(report)
        assert validate(graph).conforms
        facts = set()
        for kind in (PKG.Action, PKG.Commitment, PKG.Target, PKG.Metric, PKG.Mention):
            facts |= set(graph.subjects(RDF.type, kind))
        assert facts
        for fact in facts:
            sentence = graph.value(fact, PKG.evidence)
            assert (sentence, RDF.type, NIF.Sentence) in graph
            begin, end = int(graph.value(fact, NIF.beginIndex)), int(graph.value(fact, NIF.endIndex))
            s_begin, s_end = int(graph.value(sentence, NIF.beginIndex)), int(graph.value(sentence, NIF.endIndex))
            assert s_begin <= begin <= end <= s_end
            assert str(graph.value(fact, NIF.anchorOf)) == report.text[begin:end]


def test_ingest_stores_one_named_graph_per_report_and_replaces_it(store, examples_copy):
    summary = ingest_paths([examples_copy], store)
    assert summary.ok and len(summary.stored) == 4
    graphs = store.graphs()
    assert str(report_graph("haibin-sfj-2025")) in graphs and str(report_graph("yunxi-gzbg-2025")) in graphs
    count = _triples(store)
    again = ingest_paths([examples_copy], store)
    assert again.ok and _triples(store) == count  # idempotent: the graph is replaced, not added to
    # change the report: its graph is replaced, the other report's is untouched
    path = examples_copy / "haibin-sfj-2025.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("评查案卷210宗", "评查案卷211宗"), encoding="utf-8")
    ingest_paths([examples_copy], store)
    values = {b["v"]["value"] for b in store.select(
        "SELECT ?v WHERE { GRAPH ?g { ?m <https://w3id.org/policy-kg/ontology#value> ?v } }")["results"]["bindings"]}
    assert "211" in values and "210" not in values


def test_a_bad_report_is_refused_and_the_batch_goes_on(store, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text((EXAMPLES / "haibin-sfj-2025.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "manifest.csv").write_text(
        "id,file,title,agency,jurisdiction,year,url\n"
        "good,good.txt,海滨区司法局2025年法治政府建设年度报告,海滨区司法局,海滨区,2025,\n"
        "empty,empty.txt,,,,2025,\n"
        "binary,binary.txt,,,,2025,\n"
        "ghost,ghost.txt,,,,2025,\n", encoding="utf-8")
    summary = ingest_paths([folder], store)
    assert [o.report_id for o in summary.stored] == ["good"]
    reasons = [o.error for o in summary.failed] + summary.errors
    assert any("empty.txt" in r and "empty" in r for r in reasons)
    assert any("binary.txt" in r and "binary" in r for r in reasons)
    assert any("ghost.txt" in r and "not there" in r for r in reasons)
    assert not summary.ok
    assert [g for g in store.graphs()] == [str(report_graph("good"))]


def test_a_report_that_fails_validation_is_not_stored(store, monkeypatch, examples_copy):
    import kg.ingest as ingest_module

    from kg.graph.triples import ReportTriples

    real = ingest_module.report_graph_of

    def broken(report, authority=None, budget=None):  # ingest stores the report's triples
        graph = real(report, authority, budget)
        for s in list(graph.subjects(RDF.type, PKG.Report)):
            graph.set((s, PKG.year, Literal(1800)))
        return ReportTriples.from_graph(graph)

    monkeypatch.setattr(ingest_module, "report_triples_of", broken)
    summary = ingest_paths([examples_copy / "haibin-sfj-2025.txt"], store)
    assert not summary.stored
    assert "not stored" in summary.failed[0].error and summary.failed[0].violations
    assert store.graphs() == []


def _triples(store) -> int:
    data = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(data["results"]["bindings"][0]["n"]["value"])


def test_examples_folder_exists_with_a_manifest():
    assert (Path(EXAMPLES) / "manifest.csv").is_file()


def test_an_empty_upload_is_not_a_report(store):
    from kg.ingest import ingest_text
    from kg.read import ReportMeta

    outcome = ingest_text(store, "   \n", ReportMeta(id="empty", year=2025))
    assert not outcome.stored and "empty report" in outcome.error
    assert store.graphs() == []


def test_no_path_writes_a_non_http_source_url(store, tmp_path):
    """The manifest refuses such rows; reports built elsewhere (objects, uploads) are refused
    when their graph is built, so no dcterms:source is ever javascript:, data: or file:."""
    from dataclasses import replace

    import pytest

    from kg.ingest import ingest_text
    from kg.parallel import ingest_reports_parallel
    from kg.urls import BadURL

    report = read_report(EXAMPLES / "haibin-sfj-2025.txt")
    good = replace(report, meta=replace(report.meta, url="https://example.org/r.html"))
    assert any(str(o) == "https://example.org/r.html" for o in report_graph_of(good).objects())
    for url in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "not a url"):
        bad = replace(report, meta=replace(report.meta, id="bad", url=url))
        with pytest.raises(BadURL):
            report_graph_of(bad)
        summary = ingest_reports_parallel([bad], store, jobs=1)
        assert not summary.stored and "url" in summary.failed[0].error and "\n" not in summary.failed[0].error
        outcome = ingest_text(store, report.text, replace(report.meta, id="bad", url=url))
        assert not outcome.stored and "url" in outcome.error and "\n" not in outcome.error
    assert store.graphs() == []


def test_a_text_given_directly_with_a_nul_is_refused_like_a_file(store):
    from kg.ingest import ingest_text
    from kg.read import ReportMeta

    text = (EXAMPLES / "haibin-sfj-2025.txt").read_text(encoding="utf-8")
    for given in ("\x00" + text, text[:300] + "\x00" + text[300:], text + "\x00"):
        outcome = ingest_text(store, given, ReportMeta(id="nul", year=2025))
        assert not outcome.stored and "binary file, not a text report (a NUL byte at character" in outcome.error
    assert store.graphs() == []
