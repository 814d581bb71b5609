"""The fast SHACL engines (pyshacl-turbo, the compiled shapes) against the reference (pyshacl):
same verdicts, same lines, and for the compiled shapes the same results.

The graphs are the real report graphs of ``examples/`` (and of the seeds and the development
set when ../shared is there), valid as extracted, and broken copies of them: one mutation at
a time on a node of each kind (a label in English, a second year, a fact without evidence, a
level from no scheme, an untyped agency, an ill-typed offset …).
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, XSD


ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.graph import validate as validation  # noqa: E402
from kg.ingest import report_graph_of  # noqa: E402
from kg.read import discover, read_report  # noqa: E402
from kg.graph.shacl_compiled import Unsupported, compile_shapes  # noqa: E402
from kg.graph.triples import ReportTriples, term  # noqa: E402
from kg.graph.validate import ENGINES, resolve_engine, validate, validate_triples  # noqa: E402
from kg.graph.vocab import ACTION, ADMIN, ELI, LEVEL, NIF, ORG, PKG, ROLE  # noqa: E402

pytest.importorskip("pyshacl_turbo", reason="the fast engine pyshacl-turbo is not installed")

EXAMPLES = ROOT / "examples"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def example_graphs() -> dict[str, Graph]:
    """The examples' report graphs, and the progress graphs (kg.progress) their consecutive
    years give."""
    import tempfile

    from kg.ingest import ingest_paths
    from kg.store import open_store

    found, errors = discover([EXAMPLES])
    assert not errors and found
    graphs = {path.stem: report_graph_of(read_report(path, meta)) for path, meta in found}
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "store")
        assert ingest_paths([EXAMPLES], store, shacl=False).ok
        for iri in store.graphs():
            if "/id/graph/progress/" in iri:
                graphs["progress-" + iri.rsplit("/", 1)[-1]] = store.construct(
                    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        store.close()
    return graphs


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
    ("indicator with two Chinese labels", add(PKG.Indicator, SKOS.prefLabel, Literal("另一个名称", lang="zh"))),
    ("indicator in another scheme", replace(PKG.Indicator, SKOS.inScheme, PKG.DocumentLevels)),
    ("progress check without outcome", drop(PKG.ProgressCheck, PKG.outcome)),
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


def untype_legal_document(g: Graph) -> bool:
    """A document at a legal level that is no longer typed eli:LegalResource."""
    node = first(g, ELI.LegalResource)
    if node is None:
        return False
    g.remove((node, RDF.type, ELI.LegalResource))
    return True


def organisation_alias_in_english(g: Graph) -> bool:
    """The first agency as an org:Organization (another body than a government's), with an English alias."""
    node = first(g, PKG.Agency)
    if node is None:
        return False
    g.remove((node, RDF.type, PKG.Agency))
    g.add((node, RDF.type, ORG.Organization))
    g.add((node, SKOS.altLabel, Literal("Bureau", lang="en")))
    return True


XSD_DATE, XSD_DECIMAL = XSD.date, XSD.decimal
EXAMPLE = URIRef("https://example.org/elsewhere")

# More mutations, so that every constraint of every shape with a target is broken somewhere.
MUTATIONS += [
    ("report title twice", add(PKG.Report, DCTERMS.title, Literal("另一个标题", lang="zh"))),
    ("report title in English", replace(PKG.Report, DCTERMS.title, Literal("Report", lang="en"))),
    ("report without author", drop(PKG.Report, DCTERMS.creator)),
    ("report jurisdiction an agency", swap_refs(PKG.Report, PKG.jurisdiction, PKG.Agency)),
    ("report source a literal", add(PKG.Report, DCTERMS.source, Literal("https://example.org/r"))),
    ("report source file tagged", replace(PKG.Report, PKG.sourceFile, Literal("r.txt", lang="zh"))),
    ("report without content hash", drop(PKG.Report, PKG.contentHash)),
    ("report year ill-typed", replace(PKG.Report, PKG.year, Literal("20x5", datatype=XSD_INTEGER))),
    ("sentence with two sections", add(NIF.Sentence, PKG.section, Literal("另一节"))),
    ("sentence without report", drop(NIF.Sentence, DCTERMS.isPartOf)),
    ("sentence text tagged", replace(NIF.Sentence, NIF.anchorOf, Literal("句子", lang="zh"))),
    ("sentence end a string", replace(NIF.Sentence, NIF.endIndex, Literal("12"))),
    ("sentence without role", drop(NIF.Sentence, PKG.sectionRole)),
    ("region part of nothing known", add(PKG.Region, PKG.partOf, EXAMPLE)),
    ("region label in English", replace(PKG.Region, RDFS.label, Literal("Region", lang="en"))),
    ("agency in two places", add(PKG.Agency, PKG.jurisdiction, EXAMPLE)),
    ("agency under an untyped parent", add(PKG.Agency, ORG.subOrganizationOf, EXAMPLE)),
    ("agency without admin level", drop(PKG.Agency, PKG.adminLevel)),
    ("organisation alias in English", organisation_alias_in_english),
    ("document issued by a region", swap_refs(PKG.Document, ELI.passed_by, PKG.Region)),
    ("document publication date a string", add(PKG.Document, ELI.date_publication, Literal("2020-01-01"))),
    ("document date ill-typed", add(PKG.Document, ELI.first_date_entry_in_force,
                                    Literal("2020-13-45", datatype=XSD_DATE))),
    ("document in force a literal", add(PKG.Document, ELI.in_force, Literal("yes"))),
    ("legal document not typed legal", untype_legal_document),
    ("document alias in English", add(PKG.Document, SKOS.altLabel, Literal("law", lang="en"))),
    ("document title in English", replace(PKG.Document, DCTERMS.title, Literal("Law", lang="en"))),
    ("mention with two evidences", add(PKG.Mention, PKG.evidence, EXAMPLE)),
    ("mention evidence a report", swap_refs(PKG.Mention, PKG.evidence, PKG.Report)),
    ("sentence section tagged", replace(NIF.Sentence, PKG.section, Literal("一、", lang="zh"))),
    ("action without year", drop(PKG.Action, PKG.year)),
    ("action without type", drop(PKG.Action, PKG.actionType)),
    ("action used a region", swap_refs(PKG.Action, PROV.used, PKG.Region)),
    ("commitment attributed to nobody", drop(PKG.Commitment, PROV.wasAttributedTo)),
    ("commitment references nothing known", add(PKG.Commitment, DCTERMS.references, EXAMPLE)),
    ("target indicator twice", add(PKG.Target, PKG.indicator, Literal("另一个指标", lang="zh"))),
    ("target upper a string", add(PKG.Target, PKG.upperValue, Literal("100"))),
    ("target value ill-typed", replace(PKG.Target, PKG.value, Literal("1,000", datatype=XSD_DECIMAL))),
    ("target without unit", drop(PKG.Target, PKG.unit)),
    ("target without comparator", drop(PKG.Target, PKG.comparator)),
    ("metric qualifier tagged", add(PKG.Metric, PKG.qualifier, Literal("约", lang="zh"))),
    ("metric value an integer", replace(PKG.Metric, PKG.value, Literal(5))),
    ("metric year 1900 as a decimal", replace(PKG.Metric, PKG.year, Literal(Decimal("1900")))),
    ("initiative label untagged", replace(PKG.Initiative, RDFS.label, Literal("initiative"))),
    ("report year a blank node", replace(PKG.Report, PKG.year, BNode())),
]

# Changes that may or may not break a graph (forms rdflib reads in its own way): the compiled
# shapes must still say what pyshacl says.
EDGE_CASES: list[tuple[str, Callable[[Graph], bool]]] = [
    ("year written with a plus", replace(PKG.Report, PKG.year, Literal("+2025", datatype=XSD_INTEGER))),
    ("offset with leading zeros", replace(PKG.Mention, NIF.beginIndex, Literal("007", datatype=XSD_INTEGER))),
    ("value in exponent form", replace(PKG.Target, PKG.value, Literal("1e1", datatype=XSD_DECIMAL))),
    ("value with a trailing point", replace(PKG.Metric, PKG.value, Literal("5.", datatype=XSD_DECIMAL))),
    ("label with a quote, a newline and a backslash", replace(PKG.Agency, RDFS.label, Literal('局"\n\\', lang="zh"))),
    ("label tag in capitals", replace(PKG.Region, RDFS.label, Literal("区", lang="ZH"))),
    ("label tag zh-Hans", replace(PKG.Agency, RDFS.label, Literal("局", lang="zh-Hans"))),
    ("comparator typed xsd:string", replace(PKG.Target, PKG.comparator, Literal("about", datatype=XSD.string))),
    ("a second qualifier", add(PKG.Metric, PKG.qualifier, Literal("约"))),
    ("upper value equal to value", add(PKG.Target, PKG.upperValue, Literal(Decimal("0")))),
    ("range with an upper value", replace(PKG.Target, PKG.comparator, Literal("range"))),
]


def broken_cases():
    for name, mutate in MUTATIONS:
        for report, graph in GRAPHS.items():
            g = copy(graph)
            if mutate(g):
                yield pytest.param(g, id=f"{report}: {name}")
                break


def test_engines_are_known_and_resolve():
    assert set(ENGINES) == {"auto", "compiled", "pyshacl", "turbo"}
    assert resolve_engine("auto") == "compiled"
    assert resolve_engine("compiled") == "compiled"
    assert resolve_engine("pyshacl") == "pyshacl"
    with pytest.raises(ValueError):
        resolve_engine("fast")


def test_environment_picks_the_engine(monkeypatch):
    monkeypatch.setenv("POLICY_KG_SHACL_ENGINE", "pyshacl")
    assert resolve_engine() == "pyshacl"
    monkeypatch.setenv("POLICY_KG_SHACL_ENGINE", "turbo")
    assert resolve_engine() == "turbo"
    monkeypatch.setenv("POLICY_KG_SHACL_ENGINE", "compiled")
    assert resolve_engine() == "compiled"
    monkeypatch.delenv("POLICY_KG_SHACL_ENGINE")
    assert resolve_engine() == "compiled"


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
    broken = next(iter(broken_cases())).values[0]  # lines are turbo's: it fails, pyshacl writes them
    assert validate(broken, engine="auto").violations == validate(broken, engine="pyshacl").violations
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


# --- the compiled shapes (kg.graph.shacl_compiled) against pyshacl --------------------------------------

SHAPES = validation.load_shapes()
COMPILED = compile_shapes(SHAPES)


_REFERENCE: dict[int, tuple] = {}


def reference(graph: Graph) -> tuple[set, "validation.Validation"]:
    """pyshacl's top-level results as (focus node, path or None, constraint component), and
    its Validation (verdict and lines); run once per graph object."""
    if id(graph) in _REFERENCE and _REFERENCE[id(graph)][0] is graph:
        return _REFERENCE[id(graph)][1:]
    report = validation._pyshacl_report(graph, SHAPES)
    results = set()
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        results.add((term(report.value(result, SH.focusNode)), None if path is None else term(path),
                     str(report.value(result, SH.sourceConstraintComponent))))
    _REFERENCE[id(graph)] = (graph, results, validation._validation(graph, report))
    return results, _REFERENCE[id(graph)][2]


def reference_results(graph: Graph) -> set:
    return reference(graph)[0]


def mutated(mutations) -> list:
    """Each mutation applied to the first example graph it finds a node in."""
    cases = []
    for name, mutate in mutations:
        for report, graph in GRAPHS.items():
            g = copy(graph)
            if mutate(g):
                cases.append(pytest.param(g, id=f"{report}: {name}"))
                break
    return cases


MUTATED = mutated(MUTATIONS) + mutated(EDGE_CASES)


@pytest.mark.parametrize("graph", MUTATED)
def test_compiled_shapes_give_pyshacls_results_on_mutated_graphs(graph):
    reference = reference_results(graph)
    assert COMPILED.results(ReportTriples.from_graph(graph).triples) == reference  # (s, p, o) terms
    assert COMPILED.results(ReportTriples.from_graph(graph)) == reference  # the index, as ingest gives it
    assert COMPILED.results(list(ReportTriples.from_graph(graph))) == reference  # a plain list of triples


@pytest.mark.parametrize("graph", MUTATED)
def test_validate_triples_gives_pyshacls_verdict_and_lines(graph):
    expected = reference(graph)[1]
    fast = validate_triples(ReportTriples.from_graph(graph))
    assert (fast.conforms, fast.violations) == (expected.conforms, expected.violations)


def test_mutations_break_every_constraint_component_and_every_target_class():
    """Every constraint component the shapes use at the top of a targeted shape, and every
    targeted class, appears in pyshacl's results for some mutation."""
    used, classes = set(), {cls for cls, _ in COMPILED.targets}
    for _, shape in COMPILED.targets:
        used |= shape.components()
        used |= {component for prop in shape.properties for component in prop.components()}
    assert {str(SH.MinCountConstraintComponent), str(SH.MaxCountConstraintComponent)} <= used
    seen_components, seen_classes = set(), set()
    for case in MUTATED:
        graph = case.values[0]
        for focus, _, component in reference_results(graph):
            seen_components.add(component)
            node = URIRef(focus[1:-1]) if focus.startswith("<") else None
            seen_classes |= {term(cls) for cls in graph.objects(node, RDF.type)}
    assert used - seen_components == set()
    assert classes - seen_classes == set()


from tests.conftest import SHARED  # noqa: E402
REAL = [folder for folder in (SHARED / "corpus", SHARED / "corpus-dev", EXAMPLES) if folder.is_dir()]


def real_reports():
    from kg.authority import default_authority

    for folder in REAL:
        found, errors = discover([folder])
        for path, meta in found:
            yield pytest.param(path, meta, default_authority(), id=f"{folder.name}/{path.stem}")


@pytest.mark.parametrize("path, meta, authority", list(real_reports()))
def test_compiled_shapes_give_pyshacls_verdict_on_real_reports(path, meta, authority):
    """Seeds, development set and examples: the same (empty) results as pyshacl."""
    from kg.ingest import report_triples_of

    triples = report_triples_of(read_report(path, meta), authority)
    reference = reference_results(triples.graph())
    assert COMPILED.results(triples.triples) == reference
    assert COMPILED.results(triples) == reference
    assert validate_triples(triples).conforms is (not reference)


def test_shapes_beyond_the_compiled_part_go_to_turbo():
    """A constraint the compiler does not know (sh:pattern) is refused, and validation in
    auto mode still gives pyshacl's verdict."""
    shapes = Graph()
    shapes += SHAPES
    shape = URIRef("https://example.org/shapes#IdentifierPattern")
    prop = BNode()
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, PKG.Report))
    shapes.add((shape, SH.property, prop))
    shapes.add((prop, SH.path, DCTERMS.identifier))
    shapes.add((prop, SH.pattern, Literal("^x")))
    with pytest.raises(Unsupported):
        compile_shapes(shapes)
    graph = next(iter(GRAPHS.values()))
    reference = validate(graph, shapes, engine="pyshacl")
    assert not reference.conforms
    fast = validate_triples(ReportTriples.from_graph(graph), shapes)
    assert (fast.conforms, fast.violations) == (reference.conforms, reference.violations)
    with pytest.raises(Unsupported):
        validate(graph, shapes, engine="compiled")


def test_data_with_subclasses_go_to_turbo():
    """rdfs:subClassOf in a report graph (class targets would need it) is left to pyshacl(-turbo)."""
    graph = copy(next(iter(GRAPHS.values())))
    graph.add((URIRef("https://example.org/Bureau"), RDFS.subClassOf, PKG.Agency))
    graph.add((URIRef("https://example.org/bureau"), RDF.type, URIRef("https://example.org/Bureau")))
    with pytest.raises(Unsupported):
        COMPILED.results(ReportTriples.from_graph(graph).triples)
    reference = validate(graph, engine="pyshacl")
    assert not reference.conforms  # the unlabelled bureau is an agency by inference
    fast = validate_triples(ReportTriples.from_graph(graph))
    assert (fast.conforms, fast.violations) == (reference.conforms, reference.violations)


def test_cardinality_of_a_node_shape_is_left_to_turbo():
    """sh:minCount/sh:maxCount, read inline by the compiled validator, belong to property
    shapes: on a node shape (not SHACL Core's use) the compiler refuses them."""
    shapes = Graph()
    shapes += SHAPES
    shape = URIRef("https://example.org/shapes#CountedReport")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, PKG.Report))
    shapes.add((shape, SH.minCount, Literal(1)))
    with pytest.raises(Unsupported):
        compile_shapes(shapes)


def test_a_validation_run_pauses_the_collector_and_turns_it_back_on():
    """The compiled validator pauses the cyclic GC for a run (kg.gcpause) and turns it back on,
    also when the run raises; a collector paused by the caller stays paused."""
    import gc

    from tests.test_rdf_path import collections_during

    graph = copy(next(iter(GRAPHS.values())))
    triples = ReportTriples.from_graph(graph)
    assert gc.isenabled()
    assert collections_during(lambda: COMPILED.results(triples)) <= 10  # around the pause
    assert gc.isenabled()
    graph.add((URIRef("https://example.org/Bureau"), RDFS.subClassOf, PKG.Agency))
    with pytest.raises(Unsupported):
        COMPILED.results(ReportTriples.from_graph(graph))
    assert gc.isenabled()
    gc.disable()
    try:
        COMPILED.results(ReportTriples.from_graph(copy(next(iter(GRAPHS.values())))))
        assert not gc.isenabled()
    finally:
        gc.enable()
