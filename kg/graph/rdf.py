"""Stage 6, rdf: one report's facts as its named graph, an rdflib Graph or N-Triples terms.

:func:`build_graph` gives an rdflib Graph (``kg extract``'s Turtle, JSON-LD, TriG, and the
reference in tests); :func:`build_triples` gives the same triples already written as
N-Triples (:class:`kg.graph.triples.ReportTriples`), several times faster, for the store and the
compiled validator. Both run :func:`write_report` with their own literal makers (:data:`RDFLIB`,
:data:`NTRIPLES`), so they cannot drift apart.

The layout is documented in ``docs/model.md``. Only sentences that are evidence of a fact
are written. Shared nodes (documents, agencies, regions, initiatives) carry their type and
labels in every report graph that mentions them, so each graph validates on its own.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace

from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdfns
from rdflib.namespace import XSD

from kg.graph import triples as nt
from kg.extract.facts import Extraction
from kg.gcpause import paused_gc
from kg.extract.hierarchy import body_kind, parent_body
from kg.indicators import add_indicator
from kg.resolve import Resolution, agency_key, region_for
from kg.urls import source_url
from kg.graph import vocab
from kg.graph.vocab import LEGAL_LEVELS, PKG, PREFIXES, entity_iri, fact_iri, fact_iri_text, report_iri

# The namespaces looked up for every triple, each term made once (kg.graph.triples.Remembered).
DCTERMS, PROV, RDF, RDFS, SKOS = map(nt.Remembered, (rdfns.DCTERMS, rdfns.PROV, rdfns.RDF, rdfns.RDFS, rdfns.SKOS))
ACTION, ADMIN, ELI, LEVEL, NIF, ROLE, ORG = map(nt.Remembered, (vocab.ACTION, vocab.ADMIN, vocab.ELI, vocab.LEVEL,
                                                              vocab.NIF, vocab.ROLE, vocab.ORG))


@lru_cache(maxsize=65536)
def integer(value: int) -> Literal:
    """An xsd:integer literal (offsets and years repeat across facts and reports)."""
    return Literal(value, datatype=XSD.integer)


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def decimal(value) -> Literal:
    return Literal(Decimal(value), datatype=XSD.decimal)


def date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def tagged(value: str, lang: str) -> Literal:
    return Literal(value, lang=lang)


@lru_cache(maxsize=65536)
def _written(make, kind: type, lexical: str) -> str:
    """rdflib's literal made by ``make`` from the value of type ``kind`` written ``lexical``,
    as N-Triples: made once per value and form (``Decimal("1.5")`` and ``Decimal("1.50")``
    are equal keys, so the key is the value's type and text, never the value)."""
    return nt.term(make(kind(lexical)))


def _nt_of(make):
    """The N-Triples form of an rdflib literal maker, through :func:`_written`'s cache."""
    return lambda value: _written(make, type(value), str(value))


def _written_fact(report_id: str, kind: str, *key: object) -> str:
    """A fact's IRI (kg.graph.vocab.fact_iri) written as an N-Triples term, without a URIRef."""
    return f"<{fact_iri_text(report_id, kind, *key)}>"


# The term makers of each form: rdflib Literals and URIRefs, or the same terms written as N-Triples.
RDFLIB = SimpleNamespace(text=Literal, zh=zh, tagged=tagged, integer=integer, decimal=decimal, date=date,
                         fact=fact_iri)
NTRIPLES = SimpleNamespace(text=nt.text, zh=lambda value: nt.tagged(value, "zh"), tagged=nt.tagged,
                           integer=nt.integer, decimal=_nt_of(decimal), date=_nt_of(date), fact=_written_fact)


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes (pkg:, eli:, org: …) for a readable Turtle or JSON-LD."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph


def add_parents(g, t: SimpleNamespace, res: Resolution) -> None:
    """``org:subOrganizationOf`` for the government bodies whose name makes their parent
    certain (kg.extract.hierarchy); a parent the report does not name is added as a body of its own."""
    names = {agency_key(agency.name): agency for agency in res.agencies}
    for agency in res.agencies:
        if not agency.is_government:
            continue
        parent = parent_body(agency.name, agency.region)
        if parent is None or parent == agency.name:
            continue
        known = names.get(agency_key(parent))
        iri = known.iri if known is not None else entity_iri("agency", agency_key(parent))
        if known is None:
            g.add((iri, RDF.type, PKG.Agency))
            g.add((iri, RDF.type, PKG.StateOrgan))  # a people's government
            g.add((iri, RDFS.label, t.zh(parent)))
            g.add((iri, PKG.adminLevel, ADMIN[agency.admin_level]))
            region = region_for(res, agency)
            if region is not None:
                g.add((iri, PKG.jurisdiction, region.iri))
        g.add((agency.iri, ORG.subOrganizationOf, iri))


def build_graph(ex: Extraction, res: Resolution) -> Graph:
    """The report's graph. A plain triple store without prefixes (SimpleMemory): building it
    is a quarter of the cost of rdflib's default store; :func:`bind_prefixes` before writing
    Turtle for people."""
    g = Graph(store="SimpleMemory", bind_namespaces="none")
    write_report(ex, res, g, RDFLIB)
    return g


def build_triples(ex: Extraction, res: Resolution) -> nt.ReportTriples:
    """The report's triples written as N-Triples (the same set as :func:`build_graph`'s), the
    cyclic garbage collector paused meanwhile (:mod:`kg.gcpause`: the index holds no cycles)."""
    out = nt.ReportTriples()
    with paused_gc():
        write_report(ex, res, out, NTRIPLES)
    return out


def write_report(ex: Extraction, res: Resolution, g, t: SimpleNamespace) -> None:
    """Add the report's triples to ``g`` (anything with ``add((s, p, o))``), literals and fact
    IRIs made by ``t`` (:data:`RDFLIB` or :data:`NTRIPLES`). rdflib terms (``zh(…)``,
    ``Literal(…)``, a URIRef) are right in both forms too, only slower in the N-Triples one."""
    meta = ex.report.meta
    rid = meta.id
    report = report_iri(rid)
    seg = ex.segmented

    sentence_nodes: dict = {}  # the evidence sentences used, by index

    def sentence(index: int):
        node = sentence_nodes.get(index)
        if node is None:
            node = sentence_nodes[index] = t.fact(rid, "sentence", index, seg.sentences[index].start)
        return node

    context = t.fact(rid, "context", "text")  # the report's text: what NIF offsets count in
    g.add((context, RDF.type, NIF.Context))
    g.add((context, NIF.isString, t.text(ex.report.text)))
    g.add((context, NIF.beginIndex, t.integer(0)))
    g.add((context, NIF.endIndex, t.integer(len(ex.report.text))))
    g.add((context, DCTERMS.isPartOf, report))

    def span(node, start: int, end: int) -> None:
        g.add((node, NIF.referenceContext, context))
        g.add((node, NIF.beginIndex, t.integer(start)))
        g.add((node, NIF.endIndex, t.integer(end)))
        g.add((node, NIF.anchorOf, t.text(ex.report.text[start:end])))

    def evidence(node, index: int, start: int, end: int) -> None:
        g.add((node, PKG.evidence, sentence(index)))
        span(node, start, end)

    def mention(kind: str, i: int, found, target) -> None:
        """The i-th mention of a kind (agency, document, initiative) as a pkg:Mention of ``target``."""
        node = t.fact(rid, "mention", kind, i, found.start)
        g.add((node, RDF.type, PKG.Mention))
        g.add((node, PKG.refersTo, target))
        evidence(node, found.sentence, found.start, found.end)

    # the report and the reporting agency
    g.add((report, RDF.type, PKG.Report))
    g.add((report, DCTERMS.identifier, t.text(rid)))
    title = meta.title or rid
    g.add((report, DCTERMS.title, t.zh(title)))
    g.add((report, RDFS.label, t.zh(title)))
    g.add((report, DCTERMS.creator, res.reporting.iri))
    g.add((report, PKG.year, t.integer(ex.year)))
    g.add((report, PKG.sourceFile, t.text(ex.report.path.rsplit("/", 1)[-1] or rid)))
    g.add((report, PKG.contentHash, t.text(ex.report.sha256)))
    if meta.url:  # only absolute http(s) URLs, whoever made the report (else kg.urls.BadURL)
        g.add((report, DCTERMS.source, URIRef(source_url(meta.url))))
    reporting_region = region_for(res, res.reporting)
    if reporting_region is not None:
        g.add((report, PKG.jurisdiction, reporting_region.iri))

    # regions
    for region in res.regions.values():
        g.add((region.iri, RDF.type, PKG.Region))
        g.add((region.iri, RDFS.label, t.zh(region.name)))
        g.add((region.iri, PKG.adminLevel, ADMIN[region.admin_level]))
        if region.part_of is not None:
            g.add((region.iri, PKG.partOf, region.part_of))

    # agencies
    for agency in res.agencies:
        g.add((agency.iri, RDF.type, PKG.Agency if agency.is_government else ORG.Organization))
        kind = body_kind(agency.name) if agency.is_government else None
        if kind is not None:
            g.add((agency.iri, RDF.type, PKG.PartyBody if kind == "party" else PKG.StateOrgan))
        g.add((agency.iri, RDFS.label, t.zh(agency.name)))
        for alias in sorted(agency.aliases):
            g.add((agency.iri, SKOS.altLabel, t.zh(alias)))
        g.add((agency.iri, PKG.adminLevel, ADMIN[agency.admin_level if agency.is_government else "other"]))
        region = region_for(res, agency)
        if region is not None and agency.is_government:
            g.add((agency.iri, PKG.jurisdiction, region.iri))
    add_parents(g, t, res)
    for i, found in enumerate(ex.agencies):
        mention("agency", i, found, res.agency_of[i].iri)

    # documents
    for doc in res.documents:
        g.add((doc.iri, RDF.type, PKG.Document))
        if doc.level in LEGAL_LEVELS:
            g.add((doc.iri, RDF.type, ELI.LegalResource))
        g.add((doc.iri, RDFS.label, t.zh(doc.title)))
        g.add((doc.iri, DCTERMS.title, t.zh(doc.title)))
        for alias in sorted(doc.aliases):
            g.add((doc.iri, SKOS.altLabel, t.zh(alias)))
        g.add((doc.iri, ELI.type_document, LEVEL[doc.level]))
        for target in doc.implements:
            g.add((doc.iri, ELI.ensures_implementation_of, target))
        for issuer in doc.issuers:
            g.add((doc.iri, ELI.passed_by, issuer.iri))
        if doc.record is not None:
            if doc.record.publish_date:
                g.add((doc.iri, ELI.date_publication, t.date(doc.record.publish_date)))
            if doc.record.in_force_date:
                g.add((doc.iri, ELI.first_date_entry_in_force, t.date(doc.record.in_force_date)))
            if doc.record.status:
                status = "InForce-inForce" if doc.record.status == "in-force" else "InForce-notInForce"
                g.add((doc.iri, ELI.in_force, URIRef(f"http://data.europa.eu/eli/ontology#{status}")))
    for i, doc in res.document_of.items():
        mention("document", i, ex.documents[i], doc.iri)

    # initiatives
    for item in res.initiatives:
        g.add((item.iri, RDF.type, PKG.Initiative))
        g.add((item.iri, RDFS.label, t.zh(item.name)))
        g.add((item.iri, PROV.wasAttributedTo, res.reporting.iri))
    for i, item in res.initiative_of.items():
        mention("initiative", i, ex.initiatives[i], item.iri)

    # actions of agencies on documents
    for i, action in enumerate(ex.actions):
        doc = res.document_of.get(action.document)
        if doc is None:
            continue
        node = t.fact(rid, "action", i, action.start, action.action)
        g.add((node, RDF.type, PKG.Action))
        g.add((node, PKG.actionType, ACTION[action.action]))
        g.add((node, PROV.wasAssociatedWith, res.reporting.iri))
        g.add((node, PROV.used, doc.iri))
        g.add((node, PKG.year, t.integer(action.year)))
        evidence(node, action.sentence, action.start, action.end)

    # commitments, one per planned action and document it names
    for i, c in enumerate(ex.commitments):
        docs = [res.document_of[d] for d in c.documents if d in res.document_of]
        unique = list({d.iri: d for d in docs}.values()) or [None]
        for j, doc in enumerate(unique):
            node = t.fact(rid, "commitment", i, j, c.start)
            g.add((node, RDF.type, PKG.Commitment))
            g.add((node, RDFS.label, t.zh(c.text)))
            g.add((node, PROV.wasAttributedTo, res.reporting.iri))
            g.add((node, PKG.year, t.integer(c.year)))
            if doc is not None:
                g.add((node, DCTERMS.references, doc.iri))
            evidence(node, c.sentence, c.start, c.end)

    # targets and metrics
    for i, q in enumerate(ex.quantities):
        node = t.fact(rid, q.kind, i, q.start)
        g.add((node, RDF.type, PKG.Target if q.kind == "target" else PKG.Metric))
        g.add((node, PKG.indicator, t.zh(q.indicator)))
        add_indicator(g, node, q.indicator, q.unit, t)  # the concept it measures (kg.indicators)
        g.add((node, PKG.value, t.decimal(q.value)))
        if q.kind == "target":
            g.add((node, PKG.comparator, t.text(q.comparator)))
            if q.upper is not None:
                g.add((node, PKG.upperValue, t.decimal(q.upper)))
        elif q.qualifier:
            g.add((node, PKG.qualifier, t.text(q.qualifier)))
        g.add((node, PKG.unit, t.text(q.unit)))
        g.add((node, PKG.year, t.integer(q.year)))
        g.add((node, PROV.wasAttributedTo, res.reporting.iri))
        evidence(node, q.sentence, q.start, q.end)

    # the evidence sentences
    for index in sorted(sentence_nodes):
        s = seg.sentences[index]
        node = sentence_nodes[index]
        g.add((node, RDF.type, NIF.Sentence))
        g.add((node, DCTERMS.isPartOf, report))
        span(node, s.start, s.end)
        if s.section:
            g.add((node, PKG.section, t.text(s.section)))
        g.add((node, PKG.sectionRole, ROLE[s.role if s.role in ("preamble", "review", "problems", "plan") else "other"]))
