"""NIF spans resolve: every span names the context its offsets count in (nif:referenceContext),
and the context's string cut at the span's offsets is the span's anchor."""
from __future__ import annotations

from rdflib.namespace import RDF

from kg.authority import default_authority
from kg.ingest import report_graph_of
from kg.read import discover, read_report
from kg.graph.vocab import NIF

from .conftest import EXAMPLES


def test_every_span_resolves_in_its_context():
    for path, meta in discover([EXAMPLES])[0]:
        graph = report_graph_of(read_report(path, meta), default_authority())
        contexts = list(graph.subjects(RDF.type, NIF.Context))
        assert len(contexts) == 1
        text = str(graph.value(contexts[0], NIF.isString))
        spans = list(graph.subjects(NIF.anchorOf, None))
        assert spans
        for node in spans:
            assert graph.value(node, NIF.referenceContext) == contexts[0], node
            begin, end = int(graph.value(node, NIF.beginIndex)), int(graph.value(node, NIF.endIndex))
            assert text[begin:end] == str(graph.value(node, NIF.anchorOf)), node
