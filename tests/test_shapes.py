"""The SHACL shapes, the validation stage and the ontology they formalise (docs/model.md)."""
from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

from kg.indicators import DIRECTIONS
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the project is not installed: make `kg` importable
    sys.path.insert(0, str(ROOT))

from kg.graph import vocab  # noqa: E402
from kg.graph.validate import Validation, load_shapes, validate  # noqa: E402
from kg.graph.vocab import ACTION, ADMIN, ELI, ID, LEVEL, NIF, ORG, PKG, ROLE, TIME  # noqa: E402

ONTOLOGY = ROOT / "ontology" / "policy-kg.ttl"
SCHEMES = ROOT / "ontology" / "schemes.ttl"
SHAPES = ROOT / "shapes" / "policy-kg-shapes.ttl"

REUSED = [str(ns) for ns in (RDF, RDFS, OWL, namespace.XSD, SKOS, DCTERMS, PROV, ORG, ELI, NIF, TIME)]

# --------------------------------------------------------------------------------------------
# One valid graph with a node of every type
# --------------------------------------------------------------------------------------------

REPORT_ID = "bj-2021"
N = {
    "report": vocab.report_iri(REPORT_ID),
    "sentence": vocab.fact_iri(REPORT_ID, "sentence", 100),
    "china": vocab.entity_iri("region", "中华人民共和国"),
    "region": vocab.entity_iri("region", "北京市"),
    "npc": vocab.entity_iri("agency", "全国人民代表大会"),
    "agency": vocab.entity_iri("agency", "北京市人民政府"),
    "bureau": vocab.entity_iri("agency", "北京市司法局"),
    "org": vocab.entity_iri("agency", "北京证券交易所"),
    "law": vocab.entity_iri("document", "中华人民共和国民法典"),
    "plan": vocab.entity_iri("document", "北京市法治政府建设实施方案"),
    "initiative": vocab.entity_iri("initiative", "河长制"),
    "mention": vocab.fact_iri(REPORT_ID, "mention", 104),
    "action": vocab.fact_iri(REPORT_ID, "action", 100),
    "commitment": vocab.fact_iri(REPORT_ID, "commitment", 100),
    "target": vocab.fact_iri(REPORT_ID, "target", 100),
    "range": vocab.fact_iri(REPORT_ID, "target", 101),
    "metric": vocab.fact_iri(REPORT_ID, "metric", 100),
}


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def nni(n: int) -> Literal:
    return Literal(n, datatype=namespace.XSD.integer)


def span(g: Graph, node: URIRef, begin: int, end: int, text: str) -> None:
    g.add((node, NIF.beginIndex, nni(begin)))
    g.add((node, NIF.endIndex, nni(end)))
    g.add((node, NIF.anchorOf, Literal(text)))


def fact(g: Graph, node: URIRef, cls: URIRef, begin: int, end: int, text: str) -> None:
    g.add((node, RDF.type, cls))
    g.add((node, PKG.evidence, N["sentence"]))
    span(g, node, begin, end, text)


def valid_graph() -> Graph:
    g = Graph()
    for prefix, ns in vocab.PREFIXES.items():
        g.bind(prefix, ns)
    r, s = N["report"], N["sentence"]

    g.add((r, RDF.type, PKG.Report))
    g.add((r, DCTERMS.identifier, Literal(REPORT_ID)))
    g.add((r, DCTERMS.title, zh("北京市2021年法治政府建设年度情况报告")))
    g.add((r, RDFS.label, zh("北京市2021年法治政府建设年度情况报告")))
    g.add((r, DCTERMS.creator, N["agency"]))
    g.add((r, PKG.year, Literal(2021)))
    g.add((r, PKG.jurisdiction, N["region"]))
    g.add((r, DCTERMS.source, URIRef("https://www.beijing.gov.cn/zhengce/2021.html")))
    g.add((r, PKG.sourceFile, Literal("bj-2021.txt")))
    g.add((r, PKG.contentHash, Literal("3f2a9c0d1e")))

    g.add((s, RDF.type, NIF.Sentence))
    g.add((s, DCTERMS.isPartOf, r))
    span(g, s, 100, 131, "全年组织学习民法典专题培训1200场次，覆盖95%以上干部。")
    g.add((s, PKG.section, Literal("一、2021年工作总结")))
    g.add((s, PKG.sectionRole, ROLE.review))

    g.add((N["china"], RDF.type, PKG.Region))
    g.add((N["china"], RDFS.label, zh("中华人民共和国")))
    g.add((N["china"], PKG.adminLevel, ADMIN.national))
    g.add((N["region"], RDF.type, PKG.Region))
    g.add((N["region"], RDFS.label, zh("北京市")))
    g.add((N["region"], PKG.adminLevel, ADMIN.provincial))
    g.add((N["region"], PKG.partOf, N["china"]))

    g.add((N["npc"], RDF.type, PKG.Agency))
    g.add((N["npc"], RDFS.label, zh("全国人民代表大会")))
    g.add((N["npc"], PKG.adminLevel, ADMIN.national))
    g.add((N["agency"], RDF.type, PKG.Agency))
    g.add((N["agency"], RDFS.label, zh("北京市人民政府")))
    g.add((N["agency"], SKOS.altLabel, zh("市政府")))
    g.add((N["agency"], PKG.jurisdiction, N["region"]))
    g.add((N["agency"], PKG.adminLevel, ADMIN.provincial))
    g.add((N["bureau"], RDF.type, PKG.Agency))
    g.add((N["bureau"], RDFS.label, zh("北京市司法局")))
    g.add((N["bureau"], PKG.adminLevel, ADMIN.provincial))
    g.add((N["bureau"], ORG.subOrganizationOf, N["agency"]))
    g.add((N["org"], RDF.type, ORG.Organization))
    g.add((N["org"], RDFS.label, zh("北京证券交易所")))
    g.add((N["org"], PKG.adminLevel, ADMIN.other))

    law = N["law"]
    g.add((law, RDF.type, PKG.Document))
    g.add((law, RDF.type, ELI.LegalResource))
    g.add((law, RDFS.label, zh("中华人民共和国民法典")))
    g.add((law, DCTERMS.title, zh("中华人民共和国民法典")))
    g.add((law, SKOS.altLabel, zh("民法典")))
    g.add((law, ELI.type_document, LEVEL.law))
    g.add((law, ELI.passed_by, N["npc"]))
    g.add((law, ELI.date_publication, Literal("2020-05-28", datatype=namespace.XSD.date)))
    g.add((law, ELI.first_date_entry_in_force, Literal("2021-01-01", datatype=namespace.XSD.date)))
    g.add((law, ELI.in_force, URIRef("http://data.europa.eu/eli/ontology#InForce-inForce")))
    plan = N["plan"]
    g.add((plan, RDF.type, PKG.Document))
    g.add((plan, RDFS.label, zh("北京市法治政府建设实施方案")))
    g.add((plan, DCTERMS.title, zh("北京市法治政府建设实施方案")))
    g.add((plan, ELI.type_document, LEVEL["policy-document"]))
    g.add((plan, ELI.passed_by, N["agency"]))
    g.add((plan, ELI.ensures_implementation_of, law))

    g.add((N["initiative"], RDF.type, PKG.Initiative))
    g.add((N["initiative"], RDFS.label, zh("河长制")))
    g.add((N["initiative"], PROV.wasAttributedTo, N["agency"]))

    m = N["mention"]
    fact(g, m, PKG.Mention, 106, 109, "民法典")
    g.add((m, PKG.refersTo, law))

    a = N["action"]
    fact(g, a, PKG.Action, 102, 115, "组织学习民法典专题培训")
    g.add((a, PKG.actionType, ACTION.study))
    g.add((a, PROV.wasAssociatedWith, N["agency"]))
    g.add((a, PROV.used, law))
    g.add((a, PKG.year, Literal(2021)))

    c = N["commitment"]
    fact(g, c, PKG.Commitment, 100, 131, "全年组织学习民法典专题培训")
    g.add((c, RDFS.label, zh("继续开展民法典学习培训")))
    g.add((c, PROV.wasAttributedTo, N["agency"]))
    g.add((c, PKG.year, Literal(2022)))
    g.add((c, DCTERMS.references, law))

    t = N["target"]
    fact(g, t, PKG.Target, 123, 130, "95%以上干部")
    g.add((t, PKG.indicator, zh("干部培训覆盖率")))
    g.add((t, PKG.value, Literal(Decimal("95"))))
    g.add((t, PKG.unit, Literal("%")))
    g.add((t, PKG.comparator, Literal("at-least")))
    g.add((t, PKG.year, Literal(2022)))
    g.add((t, PROV.wasAttributedTo, N["agency"]))

    t2 = N["range"]
    fact(g, t2, PKG.Target, 123, 130, "90%至95%")
    g.add((t2, PKG.indicator, zh("行政复议纠错率")))
    g.add((t2, PKG.value, Literal(Decimal("90"))))
    g.add((t2, PKG.upperValue, Literal(Decimal("95.5"))))
    g.add((t2, PKG.unit, Literal("%")))
    g.add((t2, PKG.comparator, Literal("range")))
    g.add((t2, PKG.year, Literal(2022)))
    g.add((t2, PROV.wasAttributedTo, N["bureau"]))

    mt = N["metric"]
    fact(g, mt, PKG.Metric, 113, 120, "1200场次")
    g.add((mt, PKG.indicator, zh("专题培训场次")))
    g.add((mt, PKG.value, Literal(Decimal("1200"))))
    g.add((mt, PKG.unit, Literal("场次")))
    g.add((mt, PKG.qualifier, Literal("超")))
    g.add((mt, PKG.year, Literal(2021)))
    g.add((mt, PROV.wasAttributedTo, N["org"]))
    return g


def short(iri: URIRef) -> str:
    return "id:" + str(iri)[len(str(ID)):]


def test_valid_graph_conforms():
    result = validate(valid_graph())
    assert result.conforms, result.summary()
    assert result.violations == []
    assert result.summary() == "conforms"


def test_valid_graph_has_every_node_type():
    g = valid_graph()
    types = set(g.objects(None, RDF.type))
    assert {PKG.Report, NIF.Sentence, PKG.Region, PKG.Agency, ORG.Organization, PKG.Document,
            ELI.LegalResource, PKG.Initiative, PKG.Mention, PKG.Action, PKG.Commitment,
            PKG.Target, PKG.Metric} <= types


# --------------------------------------------------------------------------------------------
# One broken thing at a time
# --------------------------------------------------------------------------------------------

def replace(node: str, pred: URIRef, *values) -> Callable[[Graph], None]:
    def mutate(g: Graph) -> None:
        g.remove((N[node], pred, None))
        for value in values:
            g.add((N[node], pred, value))
    return mutate


def add(node: str, pred: URIRef, value) -> Callable[[Graph], None]:
    return lambda g: g.add((N[node], pred, value))


def drop(node: str, pred: URIRef, value=None) -> Callable[[Graph], None]:
    return lambda g: g.remove((N[node], pred, value))


BROKEN = [
    # (case, node that must be reported, mutation, text the message must contain)
    ("label without @zh", "agency", replace("agency", RDFS.label, Literal("北京市人民政府")), "Chinese name"),
    ("label in English", "region", replace("region", RDFS.label, Literal("Beijing", lang="en")), "Chinese name"),
    ("no label", "initiative", drop("initiative", RDFS.label), "Chinese name"),
    ("alias without @zh", "law", add("law", SKOS.altLabel, Literal("Civil Code", lang="en")), "skos:altLabel"),
    ("report title in English", "report", replace("report", DCTERMS.title, Literal("Report", lang="en")), "title (dcterms:title)"),
    ("report without content hash", "report", drop("report", PKG.contentHash), "pkg:contentHash"),
    ("report author untyped", "report", replace("report", DCTERMS.creator, URIRef("https://example.org/nobody")), "author (dcterms:creator)"),
    ("report year as a string", "report", replace("report", PKG.year, Literal("2021")), "xsd:integer"),
    ("two levels", "plan", add("plan", ELI.type_document, LEVEL.standard), "exactly one level"),
    ("level not in the scheme", "plan", replace("plan", ELI.type_document, LEVEL.regulation), "exactly one level"),
    ("no level", "plan", drop("plan", ELI.type_document), "exactly one level"),
    ("legal level without eli:LegalResource", "law", drop("law", RDF.type, ELI.LegalResource), "eli:LegalResource"),
    ("eli:LegalResource at a non-legal level", "plan", add("plan", RDF.type, ELI.LegalResource), "legal level"),
    ("publication date not a date", "law", replace("law", ELI.date_publication, Literal("2020年5月28日")), "xsd:date"),
    ("implements a non-document", "plan", replace("plan", ELI.ensures_implementation_of, N["agency"]), "eli:ensures_implementation_of"),
    ("region without admin level", "region", drop("region", PKG.adminLevel), "administrative level"),
    ("region admin level from another scheme", "region", replace("region", PKG.adminLevel, LEVEL.law), "admin-level scheme"),
    ("region inside an agency", "region", replace("region", PKG.partOf, N["agency"]), "pkg:partOf"),
    ("organisation without admin level", "org", drop("org", PKG.adminLevel), "administrative level"),
    ("agency with two parents", "bureau", add("bureau", ORG.subOrganizationOf, N["npc"]), "org:subOrganizationOf"),
    ("initiative attributed to a region", "initiative", replace("initiative", PROV.wasAttributedTo, N["region"]), "prov:wasAttributedTo"),
    ("sentence outside a report", "sentence", replace("sentence", DCTERMS.isPartOf, N["law"]), "part of exactly one report"),
    ("sentence role not in the scheme", "sentence", replace("sentence", PKG.sectionRole, ROLE.summary), "section role"),
    ("offset typed as a string", "sentence", replace("sentence", NIF.beginIndex, Literal("100")), "start offset"),
    ("negative offset", "mention", replace("mention", NIF.beginIndex, Literal(-1, datatype=namespace.XSD.integer)), "start offset"),
    ("beginIndex > endIndex", "mention", replace("mention", NIF.beginIndex, nni(120)), "must not start after it ends"),
    ("span without text", "metric", drop("metric", NIF.anchorOf), "nif:anchorOf"),
    ("action without evidence", "action", drop("action", PKG.evidence), "exactly one pkg:evidence"),
    ("evidence that is not a sentence", "commitment", replace("commitment", PKG.evidence, N["report"]), "exactly one pkg:evidence"),
    ("two evidence sentences", "target", add("target", PKG.evidence, vocab.fact_iri(REPORT_ID, "sentence", 7)), "exactly one pkg:evidence"),
    ("mention of a sentence", "mention", replace("mention", PKG.refersTo, N["sentence"]), "refer (pkg:refersTo)"),
    ("action type not in the scheme", "action", replace("action", PKG.actionType, ACTION.read), "action type"),
    ("action without a document", "action", drop("action", PROV.used), "prov:used"),
    ("action by two agencies", "action", add("action", PROV.wasAssociatedWith, N["bureau"]), "prov:wasAssociatedWith"),
    ("action in 1800", "action", replace("action", PKG.year, Literal(1800)), "between 1949 and 2100"),
    ("commitment for 2101", "commitment", replace("commitment", PKG.year, Literal(2101)), "between 1949 and 2100"),
    ("commitment without label", "commitment", drop("commitment", RDFS.label), "Chinese name"),
    ("value not a decimal", "target", replace("target", PKG.value, Literal(95.0)), "xsd:decimal"),
    ("comparator roughly", "target", replace("target", PKG.comparator, Literal("roughly")), "comparator"),
    ("range without upper value", "range", drop("range", PKG.upperValue), "needs an upper value"),
    ("upper value below value", "range", replace("range", PKG.upperValue, Literal(Decimal("80"))), "must not exceed"),
    ("indicator without @zh", "metric", replace("metric", PKG.indicator, Literal("培训场次")), "indicator"),
    ("metric without unit", "metric", drop("metric", PKG.unit), "unit (pkg:unit)"),
    ("metric attributed to a region", "metric", replace("metric", PROV.wasAttributedTo, N["region"]), "prov:wasAttributedTo"),
]


@pytest.mark.parametrize("focus, mutate, expected", [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_graph_is_reported(focus, mutate, expected):
    g = valid_graph()
    mutate(g)
    result = validate(g)
    assert result.conforms is False
    assert result.violations, "a non-conforming graph must list its violations"
    hits = [line for line in result.violations if expected in line]
    assert hits, f"no line mentions {expected!r}: {result.violations}"
    assert all(short(N[focus]) in line for line in hits), hits
    # Exactly one thing was broken, so every line is about that one node.
    assert all(short(N[focus]) in line for line in result.violations), result.violations
    assert result.summary().startswith(f"{len(result.violations)} violation")


def test_violation_line_names_focus_path_and_message():
    g = valid_graph()
    g.add((N["plan"], ELI.type_document, LEVEL.standard))
    [line] = validate(g).violations
    assert line == (f"北京市法治政府建设实施方案 <{short(N['plan'])}> — eli:type_document: "
                    "A document needs exactly one level (eli:type_document) from the document-level scheme.")


def test_node_level_violation_has_no_path():
    g = valid_graph()
    g.remove((N["range"], PKG.upperValue, None))
    [line] = validate(g).violations
    assert line.startswith(short(N["range"]) + ": A target whose comparator is")


def test_warnings_are_listed_but_do_not_fail():
    shapes = Graph()
    shape = URIRef("https://example.org/shapes#Year")
    prop = BNode()
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, PKG.Action))
    shapes.add((shape, SH.property, prop))
    shapes.add((prop, SH.path, PKG.year))
    shapes.add((prop, SH.maxInclusive, Literal(2000)))
    shapes.add((prop, SH.severity, SH.Warning))
    shapes.add((prop, SH.message, Literal("Recent action.", lang="en")))
    result = validate(valid_graph(), shapes)
    assert result.conforms is True
    assert result.violations == [f"[Warning] {short(N['action'])} — pkg:year: Recent action."]
    assert result.summary().startswith("0 violations and 1 warning: [Warning]")


def test_summary_shows_the_first_lines():
    result = Validation(False, [f"line {i}" for i in range(5)])
    assert result.summary() == "5 violations: line 0; line 1; line 2 (and 2 more)"


def test_shapes_are_parsed_once():
    assert load_shapes() is load_shapes()
    assert load_shapes() is load_shapes([SHAPES])
    assert len(load_shapes()) > 100


def test_shapes_folder_follows_policy_kg_home(tmp_path, monkeypatch):
    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "only.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<https://example.org/s> a sh:NodeShape ; sh:targetClass <https://example.org/C> .\n")
    monkeypatch.setenv("POLICY_KG_HOME", str(tmp_path))
    assert len(load_shapes()) == 2
    monkeypatch.delenv("POLICY_KG_HOME")
    assert len(load_shapes()) > 100


def test_validation_is_fast():
    """~1,000 triples validate well under a second (generous bound against slow CI)."""
    g = valid_graph()
    for i in range(40):
        a = vocab.fact_iri(REPORT_ID, "action", "bulk", i)
        fact(g, a, PKG.Action, i, i + 5, "学习民法典")
        g.add((a, PKG.actionType, ACTION.implement))
        g.add((a, PROV.wasAssociatedWith, N["agency"]))
        g.add((a, PROV.used, N["law"]))
        g.add((a, PKG.year, Literal(2021)))
        t = vocab.fact_iri(REPORT_ID, "target", "bulk", i)
        fact(g, t, PKG.Target, i, i + 5, "95%")
        for p, o in ((PKG.indicator, zh("覆盖率")), (PKG.value, Literal(Decimal(i))),
                     (PKG.unit, Literal("%")), (PKG.comparator, Literal("about")),
                     (PKG.year, Literal(2022)), (PROV.wasAttributedTo, N["agency"])):
            g.add((t, p, o))
    assert 900 <= len(g) <= 1200
    validate(g)  # warm-up
    start = time.perf_counter()
    result = validate(g)
    elapsed = time.perf_counter() - start
    assert result.conforms, result.summary()
    assert elapsed < 3.0, f"validating {len(g)} triples took {elapsed:.2f}s"


# --------------------------------------------------------------------------------------------
# Ontology and concept schemes
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def schemes() -> Graph:
    return Graph().parse(SCHEMES, format="turtle")


TERM_TYPES = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
              OWL.AnnotationProperty, RDF.Property)


def own_terms(g: Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in g.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(str(PKG))}


def test_ontology_declares_and_documents_every_own_term(ontology):
    assert (URIRef("https://w3id.org/policy-kg/ontology"), RDF.type, OWL.Ontology) in ontology
    terms = own_terms(ontology)
    assert {PKG.Report, PKG.Document, PKG.Agency, PKG.Region, PKG.Initiative, PKG.Mention,
            PKG.Action, PKG.Commitment, PKG.Target, PKG.Metric, PKG.evidence, PKG.year} <= terms
    for term in terms:
        langs = {lit.language for lit in ontology.objects(term, RDFS.label)}
        assert {"zh", "en"} <= langs, f"{term} needs rdfs:label @zh and @en"
        comments = [c for c in ontology.objects(term, RDFS.comment) if c.language == "en"]
        assert comments, f"{term} needs an rdfs:comment @en"


@pytest.mark.parametrize("sub, rel, sup", [
    (PKG.Agency, RDFS.subClassOf, ORG.FormalOrganization),
    (PKG.Report, RDFS.subClassOf, PROV.Entity),
    (PKG.Report, RDFS.subClassOf, DCTERMS.BibliographicResource),
    (PKG.Document, RDFS.subClassOf, DCTERMS.BibliographicResource),
    (PKG.Action, RDFS.subClassOf, PROV.Activity),
    (PKG.Region, RDFS.subClassOf, DCTERMS.Location),
    (PKG.partOf, RDFS.subPropertyOf, DCTERMS.isPartOf),
    (PKG.jurisdiction, RDFS.subPropertyOf, DCTERMS.spatial),
    (PKG.evidence, RDFS.subPropertyOf, PROV.wasInfluencedBy),
])
def test_ontology_aligns_with_reused_vocabularies(ontology, sub, rel, sup):
    assert (sub, rel, sup) in ontology


def test_fact_classes_are_prov_entities(ontology):
    for cls in (PKG.Commitment, PKG.Target, PKG.Metric, PKG.Mention, PKG.Initiative):
        assert (cls, RDFS.subClassOf, PROV.Entity) in ontology, cls


def test_valid_graph_uses_only_declared_or_reused_terms(ontology, schemes):
    g = valid_graph()
    declared = own_terms(ontology)
    used = set(g.predicates()) | set(g.objects(None, RDF.type))
    for term in used:
        assert term in declared or any(str(term).startswith(ns) for ns in REUSED), term


def test_shapes_only_mention_declared_terms(ontology):
    shapes = load_shapes()
    declared = own_terms(ontology)
    used = set(shapes.objects(None, SH.targetClass)) | set(shapes.objects(None, SH.path)) \
        | set(shapes.objects(None, SH["class"]))
    for term in used:
        if str(term).startswith(str(PKG)):
            assert term in declared, term


@pytest.mark.parametrize("scheme, ns, codes", [
    (PKG.DocumentLevels, LEVEL, vocab.LEVELS),
    (PKG.ActionTypes, ACTION, vocab.ACTIONS),
    (PKG.AdminLevels, ADMIN, vocab.ADMIN_LEVELS),
    (PKG.SectionRoles, ROLE, vocab.SECTION_ROLES),
    (PKG.Outcomes, vocab.OUTCOME, vocab.OUTCOMES),
])
def test_concept_schemes_match_vocab(schemes, scheme, ns, codes):
    assert (scheme, RDF.type, SKOS.ConceptScheme) in schemes
    concepts = set(schemes.subjects(SKOS.inScheme, scheme))
    assert concepts == {ns[code] for code in codes}
    for code, label in codes.items():
        concept = ns[code]
        assert (concept, RDF.type, SKOS.Concept) in schemes
        assert (concept, SKOS.notation, Literal(code)) in schemes
        assert (concept, SKOS.topConceptOf, scheme) in schemes
        labels = {lit.language: str(lit) for lit in schemes.objects(concept, SKOS.prefLabel)}
        assert labels.get("zh") == label and labels.get("en"), (concept, labels)


def test_shapes_code_lists_match_schemes(schemes):
    """Every sh:in list of IRIs in the shapes is one whole scheme (or, for legal typing, part of it)."""
    shapes = load_shapes()
    levels = {LEVEL[c] for c in vocab.LEVELS}
    legal = {LEVEL[c] for c in vocab.LEGAL_LEVELS}
    allowed = [levels, legal, levels - legal, {ACTION[c] for c in vocab.ACTIONS},
               {ADMIN[c] for c in vocab.ADMIN_LEVELS}, {ROLE[c] for c in vocab.SECTION_ROLES},
               {vocab.OUTCOME[c] for c in vocab.OUTCOMES}]
    for head in shapes.objects(None, SH["in"]):
        members = set(Collection(shapes, head))
        if all(isinstance(m, URIRef) for m in members):
            assert members in allowed, members
        else:
            assert members in ({Literal(c) for c in vocab.COMPARATORS}, {Literal(c) for c in DIRECTIONS})
