"""The fast SHACL engine (pyshacl-turbo) against the reference (pyshacl): same verdicts, same lines.

The graphs are the real report graphs of ``examples/``, valid as extracted, and broken copies
of them: one mutation at a time on a node of each kind (a label in English, a second year, a
fact without evidence, a level from no scheme, an untyped agency …).
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS


ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg import validate as validation  # noqa: E402
from kg.ingest import report_graph_of  # noqa: E402
from kg.read import discover, read_report  # noqa: E402
from kg.validate import ENGINES, resolve_engine, validate  # noqa: E402
from kg.vocab import ACTION, ADMIN, ELI, LEVEL, NIF, ORG, PKG, ROLE  # noqa: E402

pytest.importorskip("pyshacl_turbo", reason="the fast engine pyshacl-turbo is not installed")

EXAMPLES = ROOT / "examples"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def example_graphs() -> dict[str, Graph]:
    found, errors = discover([EXAMPLES])
    assert not errors and found
    return {path.stem: report_graph_of(read_report(path, meta)) for path, meta in found}


GRAPHS = example_graphs()


def copy(graph: Graph) -> Graph:
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    for triple in graph:
        out.add(triple)
    return out


def first(graph: Graph, cls: URIRef) -> URIRef | None:
    return min(graph.subjects(RDF.type, cls), default=None, key=str)


def replace(cls: URIRef, pred: URIRef, value) -> Callable[[Graph], bool]:
    def mutate(g: Graph) -> bool:
        node = first(g, cls)
        if node is None:
            return False
        g.remove((node, pred, None))
        g.add((node, pred, value))
        return True
    return mutate


def add(cls: URIRef, pred: URIRef, value) -> Callable[[Graph], bool]:
    def mutate(g: Graph) -> bool:
        node = first(g, cls)
        if node is None:
            return False
        g.add((node, pred, value))
        return True
    return mutate


def drop(cls: URIRef, pred: URIRef, value=None) -> Callable[[Graph], bool]:
    def mutate(g: Graph) -> bool:
        node = first(g, cls)
        if node is None or (node, pred, value) not in g and value is not None:
            return False
        g.remove((node, pred, value))
        return True
    return mutate


def swap_refs(cls: URIRef, pred: URIRef, to_cls: URIRef) -> Callable[[Graph], bool]:
    """Point ``pred`` of the first ``cls`` node at a node of the wrong kind."""
    def mutate(g: Graph) -> bool:
        node, wrong = first(g, cls), first(g, to_cls)
        if node is None or wrong is None:
            return False
        g.remove((node, pred, None))
        g.add((node, pred, wrong))
        return True
    return mutate


def untype_reporting_agency(g: Graph) -> bool:
    report = first(g, PKG.Report)
    agency = g.value(report, DCTERMS.creator)
    g.remove((agency, RDF.type, None))
    return True


MUTATIONS: list[tuple[str, Callable[[Graph], bool]]] = [
    ("report label in English", replace(PKG.Report, RDFS.label, Literal("Report", lang="en"))),
    ("report without identifier", drop(PKG.Report, DCTERMS.identifier)),
    ("report with two years", add(PKG.Report, PKG.year, Literal(1999, datatype=XSD_INTEGER))),
    ("report year as a string", replace(PKG.Report, PKG.year, Literal("2025"))),
    ("report year 1800", replace(PKG.Report, PKG.year, Literal(1800, datatype=XSD_INTEGER))),
    ("reporting agency untyped", untype_reporting_agency),
    ("sentence role outside the scheme", replace(NIF.Sentence, PKG.sectionRole, ROLE.summary)),
    ("sentence begins after it ends", replace(NIF.Sentence, NIF.beginIndex, Literal(10**6, datatype=XSD_INTEGER))),
    ("sentence outside a report", swap_refs(NIF.Sentence, DCTERMS.isPartOf, PKG.Agency)),
    ("region without admin level", drop(PKG.Region, PKG.adminLevel)),
    ("region part of an agency", swap_refs(PKG.Region, PKG.partOf, PKG.Agency)),
    ("agency label without @zh", replace(PKG.Agency, RDFS.label, Literal("bureau"))),
    ("agency alias in English", add(PKG.Agency, SKOS.altLabel, Literal("bureau", lang="en"))),
    ("agency admin level from the level scheme", replace(PKG.Agency, PKG.adminLevel, LEVEL.law)),
    ("agency with two admin levels", add(PKG.Agency, PKG.adminLevel, ADMIN.national)),
    ("document with two levels", add(PKG.Document, ELI.type_document, LEVEL.standard)),
    ("document level outside the scheme", replace(PKG.Document, ELI.type_document, LEVEL.regulation)),
    ("document without title", drop(PKG.Document, DCTERMS.title)),
    ("legal resource at a policy level", add(PKG.Document, RDF.type, ELI.LegalResource)),
    ("document implements an agency", swap_refs(PKG.Document, ELI.ensures_implementation_of, PKG.Agency)),
    ("initiative without label", drop(PKG.Initiative, RDFS.label)),
    ("initiative attributed to a region", swap_refs(PKG.Initiative, PROV.wasAttributedTo, PKG.Region)),
    ("mention without evidence", drop(PKG.Mention, PKG.evidence)),
    ("mention refers to a sentence", swap_refs(PKG.Mention, PKG.refersTo, NIF.Sentence)),
    ("mention with a negative offset", replace(PKG.Mention, NIF.beginIndex, Literal(-3, datatype=XSD_INTEGER))),
    ("mention span without text", drop(PKG.Mention, NIF.anchorOf)),
    ("action type outside the scheme", replace(PKG.Action, PKG.actionType, ACTION.read)),
    ("action without a document", drop(PKG.Action, PROV.used)),
    ("action by two agencies", add(PKG.Action, PROV.wasAssociatedWith, URIRef("https://example.org/nobody"))),
    ("commitment without label", drop(PKG.Commitment, RDFS.label)),
    ("commitment year 2101", replace(PKG.Commitment, PKG.year, Literal(2101, datatype=XSD_INTEGER))),
    ("commitment references a region", swap_refs(PKG.Commitment, DCTERMS.references, PKG.Region)),
    ("target value a float", replace(PKG.Target, PKG.value, Literal(95.0))),
    ("target comparator roughly", replace(PKG.Target, PKG.comparator, Literal("roughly"))),
    ("target range without upper", replace(PKG.Target, PKG.comparator, Literal("range"))),
    ("target upper below value", replace(PKG.Target, PKG.upperValue, Literal(Decimal("-1")))),
    ("metric without unit", drop(PKG.Metric, PKG.unit)),
    ("metric indicator in English", replace(PKG.Metric, PKG.indicator, Literal("rate", lang="en"))),
    ("metric attributed to a document", swap_refs(PKG.Metric, PROV.wasAttributedTo, PKG.Document)),
    ("organisation typed but unlabelled", add(PKG.Mention, PKG.refersTo, URIRef("https://example.org/ghost"))),
]


def broken_cases():
    for name, mutate in MUTATIONS:
        for report, graph in GRAPHS.items():
            g = copy(graph)
            if mutate(g):
                yield pytest.param(g, id=f"{report}: {name}")
                break


def test_engines_are_known_and_resolve():
    assert set(ENGINES) == {"auto", "pyshacl", "turbo"}
    assert resolve_engine("auto") == "turbo"
    assert resolve_engine("pyshacl") == "pyshacl"
    with pytest.raises(ValueError):
        resolve_engine("fast")


def test_environment_picks_the_engine(monkeypatch):
    monkeypatch.setenv("POLICY_KG_SHACL_ENGINE", "pyshacl")
    assert resolve_engine() == "pyshacl"
    monkeypatch.setenv("POLICY_KG_SHACL_ENGINE", "turbo")
    assert resolve_engine() == "turbo"
    monkeypatch.delenv("POLICY_KG_SHACL_ENGINE")
    assert resolve_engine() == "turbo"


@pytest.mark.parametrize("report", sorted(GRAPHS))
def test_valid_report_graphs_conform_in_both(report):
    reference = validate(GRAPHS[report], engine="pyshacl")
    fast = validate(GRAPHS[report], engine="turbo")
    assert reference.conforms and fast.conforms, (reference.summary(), fast.summary())
    assert fast.violations == reference.violations


@pytest.mark.parametrize("graph", list(broken_cases()))
def test_broken_report_graphs_get_the_same_verdict_and_lines(graph):
    reference = validate(graph, engine="pyshacl")
    fast = validate(graph, engine="turbo")
    assert reference.conforms is False, "the mutation must break the graph"
    assert fast.conforms is reference.conforms
    assert fast.violations == reference.violations


def test_every_mutation_applies_to_some_example():
    applied = {case.id.split(": ", 1)[1] for case in broken_cases()}
    missing = [name for name, _ in MUTATIONS if name not in applied]
    assert len(missing) <= 3, f"mutations that found no node to break: {missing}"


def test_auto_falls_back_to_pyshacl_when_the_fast_engine_fails(monkeypatch):
    class Broken:
        def validate(self, *args, **kwargs):
            raise RuntimeError("native engine failure")

    monkeypatch.setattr(validation, "_compiled", lambda shapes: Broken())
    graph = next(iter(GRAPHS.values()))
    assert validate(graph, engine="auto").conforms
    with pytest.raises(RuntimeError):
        validate(graph, engine="turbo")


def test_compiled_shapes_are_reused():
    shapes = validation.load_shapes()
    assert validation._compiled(shapes) is validation._compiled(shapes)


@pytest.mark.parametrize("graph", list(broken_cases())[:12] + list(GRAPHS.values()))
def test_ntriples_input_gives_the_same_lines(graph):
    """The batch path hands the fast engine N-Triples text (and skips the report graph when clean)."""
    nt = graph.serialize(format="nt")
    reference = validate(graph, engine="pyshacl")
    fast = validate(graph, engine="turbo", ntriples=nt)
    assert (fast.conforms, fast.violations) == (reference.conforms, reference.violations)
    assert validation._FAST["on"], "the native shortcut must still be usable"
