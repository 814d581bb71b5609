"""Network exports for Gephi and Gephi Lite: GEXF 1.3 (or 1.2draft), GraphML and a CSV pair.

The network is built from SPARQL SELECT answers through :class:`kg.store.Store`, so it works
for the embedded store and a remote endpoint alike. Nodes are the shared entities (agencies,
organisations, regions, documents, initiatives) and the targets and metrics reports set;
edges are the relations between them, one per (source, target, relation), weighted by the
number of reports that assert it. Besides what agencies do with documents (the actions:
implement, study …) and what documents do with each other (``implements``, ``references``),
an agency ``cites`` a document when a report it wrote mentions it (a pkg:Mention refers to
the document in the report's graph): so a document only cited is linked to who cites it.
Evidence sentences, mentions, actions and reports are provenance: they never become nodes,
except the sentences when ``include_evidence`` is set.

Node attributes (one type each, so Gephi can partition, rank and filter; every node has
every one except the numbers of OPTIONAL_NUMBERS, which are absent when unknown: no attvalue
in GEXF, no data element in GraphML, an empty cell in CSV, never a false 0): ``label``
(Chinese), ``kind`` (agency, organisation, region, document, initiative, target, metric;
sentence with evidence), ``level`` / ``level_zh`` (document level), ``jurisdiction`` (region
label), ``admin_level``, ``year`` / ``last_year`` (first and last report year; absent when
unknown), ``years`` (the report years, space-separated),
``report_count``, ``report_ids``, ``alt_labels``, ``published``, ``in_force``, ``value``,
``upper_value``, ``unit``, ``comparator``, ``qualifier``, ``fact_year``, ``section``,
``text`` (``value``, ``upper_value`` and ``fact_year`` only on targets and metrics that
state them), ``export_degree``, ``export_weighted_degree`` (named so as not to collide with the
``degree`` column Gephi's statistics add), ``size`` and ``color`` (the last two are written
as GEXF viz / GraphML r, g, b, size, not as data columns). Edge attributes: ``id``,
``label`` (the relation: the action type for actions), ``kind`` (the same code, Gephi's edge
kind, so parallel edges of different relations stay apart), ``relation_zh``, ``family``,
``weight`` (reports asserting it), ``report_count``, ``report_ids``, ``year``,
``last_year`` (both absent when unknown) and ``years``.

In GEXF the report years are also time: the graph is ``mode="dynamic"`` with
``timeformat="integer"`` and every node and edge carries ``<spells>`` (one spell per run of
consecutive report years), so Gephi's timeline plays the graph year by year.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO, Iterable

import networkx as nx

from kg.store import Store
from kg.graph.vocab import ACTION, ACTIONS, ADMIN, ELI, LEVEL, LEVELS, PREFIXES, fold

VIEWS = ("all", "agency-document", "agency-initiative", "document-document", "agency-indicator")
FORMATS = ("gexf", "gexf1.2", "graphml", "csv")
KINDS = ("agency", "organisation", "region", "document", "initiative", "target", "metric")
EVIDENCE_KIND = "sentence"
KIND_ALIASES = {"organization": "organisation"}

# Tableau 10: distinct and readable on Gephi's white canvas.
KIND_COLORS = {
    "agency": "#1f77b4", "organisation": "#9467bd", "region": "#2ca02c", "document": "#ff7f0e",
    "initiative": "#d62728", "target": "#17becf", "metric": "#bcbd22", "sentence": "#7f7f7f",
}
MIN_SIZE, MAX_SIZE = 5.0, 30.0

ACTION_RELATIONS = tuple(ACTIONS)  # implement, study, publicise, train, clear, draft, issue, plan
RELATIONS_ZH = {
    **ACTIONS,
    "implements": "实施", "references": "引用", "cites": "援引", "jurisdiction": "辖区", "partOf": "隶属于",
    "subOrganizationOf": "下属机构", "initiative": "推进", "target": "设定目标",
    "metric": "报告指标", "evidence": "证据",
}
RELATIONS_EN = {
    "implements": "implements", "references": "references", "cites": "cites", "jurisdiction": "jurisdiction",
    "partOf": "part of", "subOrganizationOf": "belongs to", "initiative": "runs", "target": "sets target",
    "metric": "reports metric", "evidence": "evidence",
}
LANGUAGES = ("zh", "en")  # of the level_label and relation_label attributes; zh the default
RELATION_FAMILY = {
    **{code: "action" for code in ACTION_RELATIONS},
    "implements": "citation", "references": "citation", "cites": "citation", "jurisdiction": "geography",
    "partOf": "geography", "subOrganizationOf": "organisation", "initiative": "attribution",
    "target": "attribution", "metric": "attribution", "evidence": "evidence",
}
VIEW_RELATIONS = {
    "all": frozenset(RELATION_FAMILY) - {"evidence"},
    "agency-document": frozenset(ACTION_RELATIONS) | {"cites"},
    "agency-initiative": frozenset({"initiative"}),
    "document-document": frozenset({"implements", "references"}),
}

# Attributes, in column order, with the value that stands for "none" (it fixes the type). The
# numbers of OPTIONAL_NUMBERS have no such value: unknown, they are left out (their default only
# fixes the type), since a 0 would read as a real value, a year 0 or an amount of nothing.
NODE_DEFAULTS: dict[str, object] = {
    "label": "", "kind": "", "level": "", "level_zh": "", "level_label": "", "jurisdiction": "", "admin_level": "",
    "year": 0, "last_year": 0, "years": "", "report_count": 0, "report_ids": "",
    "alt_labels": "", "published": "", "in_force": "", "value": 0.0, "upper_value": 0.0,
    "unit": "", "comparator": "", "qualifier": "", "fact_year": 0, "section": "", "text": "",
    "export_degree": 0, "export_weighted_degree": 0.0, "size": MIN_SIZE, "color": "",
}
EDGE_DEFAULTS: dict[str, object] = {
    "id": "", "label": "", "kind": "", "relation_zh": "", "relation_label": "", "family": "", "weight": 0.0,
    "report_count": 0, "report_ids": "", "year": 0, "last_year": 0, "years": "",
}
VIZ_KEYS = ("size", "color")
OPTIONAL_NUMBERS = frozenset({"value", "upper_value", "fact_year", "year", "last_year"})

EXTENSIONS = {"gexf": ".gexf", "gexf1.2": ".gexf", "graphml": ".graphml", "csv": ".csv"}
GEXF_VERSIONS = {"gexf": "1.3", "gexf1.2": "1.2draft"}
GEXF_NS = {"1.3": "http://gexf.net/1.3", "1.2draft": "http://www.gexf.net/1.2draft"}
GEXF_SCHEMA_LOCATION = {"1.3": "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
                        "1.2draft": "http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd"}
XSI = "http://www.w3.org/2001/XMLSchema-instance"


class NothingToExport(ValueError):
    """The view and filters select no node: there is no file to write (the CLI exits 2, the
    API answers 422)."""


@dataclass(frozen=True)
class Filters:
    """What to keep. ``jurisdiction`` (a region label, e.g. 光明区) and ``year`` select the
    reports whose statements are exported: a report counts for a region when its
    jurisdiction (or its creator's) is that region or lies within it (pkg:partOf).
    ``level`` keeps only documents of that level (code such as ``law``, or 法律); nodes of
    other kinds left without any edge are dropped. ``kind`` keeps only nodes of that kind
    (several: comma-separated, e.g. ``agency,document``) and the edges among them."""

    jurisdiction: str | None = None
    level: str | None = None
    year: int | None = None
    kind: str | None = None

    def describe(self) -> str:
        parts = [f"{name}={value}" for name, value in
                 (("jurisdiction", self.jurisdiction), ("level", self.level), ("year", self.year),
                  ("kind", self.kind)) if value not in (None, "")]
        return ", ".join(parts) or "none"


# -- validation ---------------------------------------------------------------------------

def check_view(view: str) -> str:
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}: expected one of {', '.join(VIEWS)}")
    return view


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return fmt


def parse_kinds(kind: str | None) -> frozenset[str] | None:
    """The node kinds of a ``kind`` filter (comma-separated), or None for all."""
    if kind is None or not kind.strip():
        return None
    kinds = frozenset(KIND_ALIASES.get(k.strip().lower(), k.strip().lower()) for k in kind.split(",") if k.strip())
    unknown = sorted(kinds - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind {', '.join(map(repr, unknown))}: expected one of {', '.join(KINDS)}")
    return kinds


def parse_level(level: str | None) -> str | None:
    """A document-level code from a code (``law``) or its Chinese label (法律)."""
    if level is None or not level.strip():
        return None
    text = level.strip()
    if text.lower() in LEVELS:
        return text.lower()
    for code, label in LEVELS.items():
        if label == text:
            return code
    raise ValueError(f"unknown document level {level!r}: expected one of {', '.join(LEVELS)}")


def parse_year(year: int | str | None) -> int | None:
    if year is None or (isinstance(year, str) and not year.strip()):
        return None
    try:
        return int(year)
    except (TypeError, ValueError):
        raise ValueError(f"year must be an integer, not {year!r}") from None


def check_filters(filters: Filters) -> Filters:
    """Raise ValueError for a filter value that cannot be right (checked before any query)."""
    parse_kinds(filters.kind)
    parse_level(filters.level)
    parse_year(filters.year)
    return filters


# -- reading the store --------------------------------------------------------------------

PROLOGUE = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
ENTITY_TYPES = "pkg:Agency org:Organization pkg:Region pkg:Document pkg:Initiative"

Q_REPORTS = PROLOGUE + """SELECT ?g ?report ?id ?year ?region WHERE {
  GRAPH ?g {
    ?report a pkg:Report .
    OPTIONAL { ?report dcterms:identifier ?id }
    OPTIONAL { ?report pkg:year ?year }
    OPTIONAL { ?report pkg:jurisdiction ?own }
    OPTIONAL { ?report dcterms:creator/pkg:jurisdiction ?creators }
    BIND (COALESCE(?own, ?creators) AS ?region)
  }
}"""
Q_REGIONS = PROLOGUE + """SELECT DISTINCT ?region ?label ?parent WHERE {
  GRAPH ?g { ?region a pkg:Region . OPTIONAL { ?region rdfs:label ?label } OPTIONAL { ?region pkg:partOf ?parent } }
}"""
Q_ENTITIES = PROLOGUE + f"""SELECT DISTINCT ?g ?node ?type WHERE {{
  GRAPH ?g {{ VALUES ?type {{ {ENTITY_TYPES} }} ?node a ?type }}
}}"""
Q_PROPERTIES = PROLOGUE + f"""SELECT DISTINCT ?node ?p ?value WHERE {{
  GRAPH ?g {{
    VALUES ?type {{ {ENTITY_TYPES} }}
    VALUES ?p {{ rdfs:label skos:altLabel pkg:adminLevel pkg:jurisdiction eli:type_document
                eli:date_publication eli:in_force }}
    ?node a ?type ; ?p ?value .
  }}
}}"""
Q_FACTS = PROLOGUE + """SELECT ?g ?node ?type ?indicator ?value ?upper ?unit ?comparator ?qualifier ?year ?agency WHERE {
  GRAPH ?g {
    VALUES ?type { pkg:Target pkg:Metric }
    ?node a ?type .
    OPTIONAL { ?node pkg:indicator ?indicator }
    OPTIONAL { ?node pkg:value ?value }
    OPTIONAL { ?node pkg:upperValue ?upper }
    OPTIONAL { ?node pkg:unit ?unit }
    OPTIONAL { ?node pkg:comparator ?comparator }
    OPTIONAL { ?node pkg:qualifier ?qualifier }
    OPTIONAL { ?node pkg:year ?year }
    OPTIONAL { ?node prov:wasAttributedTo ?agency }
  }
}"""
# Each relation query answers ?g ?s ?o ?rel: ?s -rel-> ?o asserted in graph ?g. "cites": the
# creator of the report of graph ?g -> a document a mention of that report refers to.
Q_RELATIONS = PROLOGUE + """SELECT DISTINCT ?g ?s ?o ?rel WHERE {
  GRAPH ?g {
    { ?act a pkg:Action ; pkg:actionType ?type ; prov:wasAssociatedWith ?s ; prov:used ?o .
      BIND (STRAFTER(STR(?type), "/scheme/action/") AS ?rel) }
    UNION { ?o eli:passed_by ?s . BIND ("issue" AS ?rel) }
    UNION { ?s eli:ensures_implementation_of ?o . BIND ("implements" AS ?rel) }
    UNION { ?s dcterms:references ?o . ?s a pkg:Document . ?o a pkg:Document . BIND ("references" AS ?rel) }
    UNION { ?report a pkg:Report ; dcterms:creator ?s . ?mention a pkg:Mention ; pkg:refersTo ?o .
            ?o a pkg:Document . BIND ("cites" AS ?rel) }
    UNION { VALUES ?agent { pkg:Agency org:Organization } ?s a ?agent ; pkg:jurisdiction ?o .
            BIND ("jurisdiction" AS ?rel) }
    UNION { ?s pkg:partOf ?o . BIND ("partOf" AS ?rel) }
    UNION { ?s org:subOrganizationOf ?o . BIND ("subOrganizationOf" AS ?rel) }
    UNION { ?o a pkg:Initiative ; prov:wasAttributedTo ?s . BIND ("initiative" AS ?rel) }
  }
}"""
Q_EVIDENCE = PROLOGUE + """SELECT DISTINCT ?g ?node ?sentence WHERE {
  GRAPH ?g {
    { VALUES ?link { pkg:refersTo prov:wasAssociatedWith prov:used prov:wasAttributedTo dcterms:references }
      ?fact pkg:evidence ?sentence ; ?link ?node . }
    UNION { VALUES ?fact_type { pkg:Target pkg:Metric } ?node a ?fact_type ; pkg:evidence ?sentence . }
  }
}"""
Q_SENTENCES = PROLOGUE + """SELECT ?g ?sentence ?text ?section WHERE {
  GRAPH ?g {
    ?sentence a nif:Sentence .
    OPTIONAL { ?sentence nif:anchorOf ?text }
    OPTIONAL { ?sentence pkg:section ?section }
  }
}"""

PKG_NS = PREFIXES["pkg"]
ORG_NS = PREFIXES["org"]
KIND_OF_TYPE = {
    PKG_NS + "Agency": "agency", ORG_NS + "Organization": "organisation", PKG_NS + "Region": "region",
    PKG_NS + "Document": "document", PKG_NS + "Initiative": "initiative",
    PKG_NS + "Target": "target", PKG_NS + "Metric": "metric",
}
KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS + (EVIDENCE_KIND,))}
COMPARATOR_SIGNS = {"about": "约", "at-least": "≥", "at-most": "≤", "exact": "", "range": ""}


@dataclass
class _Report:
    graph: str
    ident: str
    year: int
    region: str


@dataclass
class _Node:
    kind: str
    graphs: set[str] = field(default_factory=set)
    attrs: dict[str, object] = field(default_factory=dict)


def _tail(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _int(text: str | None) -> int | None:
    """The integer ``text`` states, or None when it states none."""
    try:
        return int(Decimal(text)) if text not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def _float(text: str | None) -> float | None:
    """The finite number ``text`` states, or None when it states none."""
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _number_text(text: str | None) -> str:
    if not text:
        return ""
    try:
        value = Decimal(text).normalize()
    except InvalidOperation:
        return text
    return format(value, "f")


def _years_of(graphs: Iterable[str], reports: dict[str, _Report]) -> list[int]:
    return sorted({reports[g].year for g in graphs if g in reports and reports[g].year})


def _spells(years: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive years as closed (start, end) intervals."""
    out: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if out and year == out[-1][1] + 1:
            out[-1] = (out[-1][0], year)
        else:
            out.append((year, year))
    return out


def _edge_id(source: str, relation: str, target: str) -> str:
    return "e" + hashlib.sha1(f"{source}\x1f{relation}\x1f{target}".encode("utf-8")).hexdigest()[:16]


class _Snapshot:
    """Everything the exports need, read from the store with a handful of SELECTs."""

    def __init__(self, store: Store, include_evidence: bool):
        self.reports: dict[str, _Report] = {}
        self.region_labels: dict[str, str] = {}
        self.region_parents: dict[str, set[str]] = defaultdict(set)
        self.nodes: dict[str, _Node] = {}
        self.relations: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        self.evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.sentences: dict[str, dict[str, str]] = {}
        self._read(store, include_evidence)

    def _read(self, store: Store, include_evidence: bool) -> None:
        for row in store.select_rows(Q_REGIONS):
            if row.get("label"):
                current = self.region_labels.get(row["region"])
                self.region_labels[row["region"]] = min(filter(None, (current, row["label"])))
            if row.get("parent"):
                self.region_parents[row["region"]].add(row["parent"])
        for row in store.select_rows(Q_REPORTS):
            if row["g"] in self.reports:
                continue
            self.reports[row["g"]] = _Report(row["g"], row.get("id") or _tail(row["report"]),
                                             _int(row.get("year")) or 0, row.get("region", ""))
        types: dict[str, set[str]] = defaultdict(set)
        graphs: dict[str, set[str]] = defaultdict(set)
        for row in store.select_rows(Q_ENTITIES):
            types[row["node"]].add(KIND_OF_TYPE[row["type"]])
            graphs[row["node"]].add(row["g"])
        for iri, kinds in types.items():
            # A body typed as government agency anywhere is an agency.
            kind = min(kinds, key=KIND_RANK.__getitem__)
            self.nodes[iri] = _Node(kind, graphs[iri])
        props: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in store.select_rows(Q_PROPERTIES):
            props[row["node"]][_tail(row["p"])].add(row["value"])
        for iri, node in self.nodes.items():
            self._entity_attrs(iri, node, props.get(iri, {}))
        for row in store.select_rows(Q_FACTS):
            self._fact(row)
        for row in store.select_rows(Q_RELATIONS):
            if row.get("rel") and row["s"] in self.nodes and row["o"] in self.nodes:
                self.relations[(row["s"], row["o"], row["rel"])].add(row["g"])
        if include_evidence:
            for row in store.select_rows(Q_EVIDENCE):
                if row["node"] in self.nodes:
                    self.evidence[(row["node"], row["sentence"])].add(row["g"])
            for row in store.select_rows(Q_SENTENCES):
                self.sentences.setdefault(row["sentence"], {"graph": row["g"], "text": row.get("text", ""),
                                                            "section": row.get("section", "")})
        # Initiatives, targets and metrics take the jurisdiction of the agencies they belong to.
        inherited: dict[str, set[str]] = defaultdict(set)
        for source, target, relation in self.relations:
            if relation in ("initiative", "target", "metric") and self.nodes[source].attrs.get("jurisdiction"):
                inherited[target].update(str(self.nodes[source].attrs["jurisdiction"]).split(" | "))
        for iri, regions in inherited.items():
            self.nodes[iri].attrs["jurisdiction"] = " | ".join(sorted(regions))

    def _entity_attrs(self, iri: str, node: _Node, props: dict[str, set[str]]) -> None:
        first = lambda name: min(props.get(name, ()), default="")  # noqa: E731
        attrs = node.attrs
        attrs["label"] = first("label") or _tail(iri)
        attrs["alt_labels"] = " | ".join(sorted(props.get("altLabel", ())))
        admin = first("adminLevel")
        attrs["admin_level"] = admin[len(str(ADMIN)):] if admin.startswith(str(ADMIN)) else _tail(admin) if admin else ""
        if node.kind == "region":
            attrs["jurisdiction"] = attrs["label"]
        elif props.get("jurisdiction"):
            attrs["jurisdiction"] = " | ".join(sorted({self.region_labels.get(r, _tail(r))
                                                        for r in props["jurisdiction"]}))
        if node.kind == "document":
            levels = Counter(v[len(str(LEVEL)):] if v.startswith(str(LEVEL)) else _tail(v)
                             for v in props.get("type_document", ()))
            if levels:
                level = sorted(levels.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                attrs["level"], attrs["level_zh"] = level, LEVELS.get(level, "")
            attrs["published"] = first("date_publication")
            in_force = first("in_force")
            attrs["in_force"] = in_force.rsplit("-", 1)[-1] if in_force.startswith(str(ELI)) else _tail(in_force)

    def _fact(self, row: dict[str, str]) -> None:
        iri, kind = row["node"], KIND_OF_TYPE[row["type"]]
        node = self.nodes.get(iri)
        if node is None:
            node = self.nodes[iri] = _Node(kind)
            indicator, unit = row.get("indicator", ""), row.get("unit", "")
            value, upper = _number_text(row.get("value")), _number_text(row.get("upper"))
            comparator, qualifier = row.get("comparator", ""), row.get("qualifier", "")
            if kind == "target":
                amount = f"{value}–{upper}" if comparator == "range" and upper else value
                label = f"{indicator} {COMPARATOR_SIGNS.get(comparator, '')}{amount}{unit}"
            else:
                label = f"{indicator} {value}{unit}" + (f"（{qualifier}）" if qualifier else "")
            node.attrs.update(label=label.strip() or _tail(iri), value=_float(row.get("value")),
                              upper_value=_float(row.get("upper")), unit=unit, comparator=comparator,
                              qualifier=qualifier, fact_year=_int(row.get("year")))
        node.graphs.add(row["g"])
        agency = row.get("agency")
        if agency and agency in self.nodes and self.nodes[agency].kind in ("agency", "organisation"):
            self.relations[(agency, iri, kind)].add(row["g"])

    # -- filters on reports --

    def regions_within(self, label: str) -> set[str]:
        """The regions labelled ``label`` and every region within them (pkg:partOf, transitively)."""
        key = fold(label)
        roots = {iri for iri, text in self.region_labels.items() if fold(text) == key}
        if not roots:
            known = sorted(set(self.region_labels.values()))
            hint = f" (regions in the store: {', '.join(known[:30])}{' …' if len(known) > 30 else ''})" if known else ""
            raise ValueError(f"no region labelled {label!r}{hint}")
        within = set(roots)
        changed = True
        while changed:
            changed = False
            for region, parents in self.region_parents.items():
                if region not in within and parents & within:
                    within.add(region)
                    changed = True
        return within

    def selected_graphs(self, filters: Filters) -> set[str]:
        graphs = set(self.reports)
        # Graphs without a pkg:Report are kept unless a report filter is set.
        for node in self.nodes.values():
            graphs |= node.graphs
        year = parse_year(filters.year)
        if year is not None:
            graphs = {g for g in graphs if g in self.reports and self.reports[g].year == year}
        if filters.jurisdiction and filters.jurisdiction.strip():
            regions = self.regions_within(filters.jurisdiction.strip())
            graphs = {g for g in graphs if g in self.reports and self.reports[g].region in regions}
        return graphs


# -- building the network -----------------------------------------------------------------

def relation_label(relation: str, lang: str = "zh") -> str:
    """A relation's name in ``lang`` (zh or en): actions by their concepts' labels."""
    if lang == "zh":
        return RELATIONS_ZH.get(relation, relation)
    if relation in ACTIONS:
        from kg.graph.vocabulary import label

        return label(str(ACTION[relation]), "en") or relation
    return RELATIONS_EN.get(relation, relation)


def level_label(level: str, lang: str = "zh") -> str:
    """A document level's name in ``lang`` (zh or en), from the level scheme."""
    if not level:
        return ""
    if lang == "zh":
        return LEVELS.get(level, "")
    from kg.graph.vocabulary import label

    return label(str(LEVEL[level]), "en") or level


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")


def build_network(store: Store, view: str = "all", filters: Filters = Filters(),
                  include_evidence: bool = False, lang: str = "zh") -> nx.MultiDiGraph:
    """The network of ``view`` under ``filters``: a MultiDiGraph keyed by relation.

    Node ids are the node IRIs; one edge per (source, target, relation) with ``weight`` the
    number of reports asserting it. Every node and every edge carries every attribute of
    NODE_DEFAULTS / EDGE_DEFAULTS (scalars only, one type per name).
    """
    check_view(view)
    check_filters(filters)
    check_language(lang)
    if view in VIEW_BUILDERS:  # views of their own (agency-indicator)
        return VIEW_BUILDERS[view](store, filters, include_evidence)
    kinds = parse_kinds(filters.kind)
    level = parse_level(filters.level)
    snap = _Snapshot(store, include_evidence)
    selected = snap.selected_graphs(filters)
    reports = snap.reports
    wanted = VIEW_RELATIONS[view]

    edges: dict[tuple[str, str, str], set[str]] = {}
    for (source, target, relation), graphs in snap.relations.items():
        hit = graphs & selected
        if relation in wanted and hit:
            edges[(source, target, relation)] = hit
    if view == "all":
        members = {iri for iri, node in snap.nodes.items() if node.graphs & selected}
    else:
        members = set()
    for source, target, _ in edges:
        members.update((source, target))
    node_graphs = {iri: snap.nodes[iri].graphs & selected for iri in members}
    for (source, target, _), graphs in edges.items():
        node_graphs[source] |= graphs
        node_graphs[target] |= graphs

    def keep(predicate) -> None:
        nonlocal edges
        for iri in [iri for iri in node_graphs if not predicate(iri)]:
            del node_graphs[iri]
        edges = {key: graphs for key, graphs in edges.items() if key[0] in node_graphs and key[1] in node_graphs}

    if level is not None:
        keep(lambda iri: snap.nodes[iri].kind != "document" or snap.nodes[iri].attrs.get("level") == level)
        linked = {iri for key in edges for iri in key[:2]}
        keep(lambda iri: snap.nodes[iri].kind == "document" or iri in linked)
    if kinds is not None:
        keep(lambda iri: snap.nodes[iri].kind in kinds)

    graph = nx.MultiDiGraph(view=view, filters=filters.describe(), include_evidence=str(bool(include_evidence)).lower(),
                            creator="policy-kg")
    for iri in sorted(node_graphs, key=lambda i: (KIND_RANK[snap.nodes[i].kind], str(snap.nodes[i].attrs.get("label", "")), i)):
        node = snap.nodes[iri]
        graph.add_node(iri, **_node_attrs(node.kind, node.attrs, node_graphs[iri], reports))
    for (source, target, relation), graphs in sorted(edges.items()):
        graph.add_edge(source, target, key=relation, **_edge_attrs(source, target, relation, graphs, reports))

    if include_evidence:
        _add_evidence(graph, snap, selected)
    _add_degree_and_viz(graph)
    for _, data in graph.nodes(data=True):
        data["level_label"] = level_label(str(data.get("level", "")), lang)
    for _, _, data in graph.edges(data=True):
        data["relation_label"] = relation_label(str(data.get("kind", "")), lang)
    graph.graph["lang"] = lang
    return graph


def agency_indicator_network(store: Store, filters: Filters = Filters(),
                             include_evidence: bool = False) -> nx.MultiDiGraph:
    """The view ``agency-indicator`` (issue 15): agencies and the indicators of their targets,
    one edge per target followed into the next report, its ``label``/``kind`` the outcome (met,
    exceeded, missed, not-reported) and ``year`` the year the target was for. Read from the named
    query ``progress`` (queries/progress.rq); ``jurisdiction`` (the agency's region label) and
    ``year`` filter; evidence is not drawn in this view."""
    from kg.queries import get_query
    from kg.store import rows, with_values
    from kg.graph.vocab import OUTCOMES

    query = get_query("progress")
    params = {key: str(value) for key, value in (("jurisdiction", filters.jurisdiction), ("year", filters.year))
              if value not in (None, "")}
    graph = nx.MultiDiGraph(view="agency-indicator", filters=filters.describe(), include_evidence="false",
                            creator="policy-kg")
    found = sorted(rows(store.select(with_values(query.text, query.bindings(params)))),
                   key=lambda r: (r["agency"], r["indicator_iri"], r["year"], r["check"]))
    for row in found:
        year = int(row["year"])
        for iri, kind, label, extra in ((row["agency"], "agency", row["body"], {"jurisdiction": row.get("jurisdiction", "")}),
                                        (row["indicator_iri"], "indicator", row["indicator"], {"unit": row["unit"]})):
            data = graph.nodes.get(iri)
            if data is None:
                graph.add_node(iri, **_typed({**extra, "label": label, "kind": kind, "color": INDICATOR_COLOR
                                              if kind == "indicator" else KIND_COLORS[kind], "year": year,
                                              "last_year": year, "years": str(year)}, NODE_DEFAULTS))
            else:
                years = sorted({*_years(data), year})
                data.update(year=years[0], last_year=years[-1], years=" ".join(map(str, years)))
        relation = row["outcome"]
        graph.add_edge(row["agency"], row["indicator_iri"], key=row["check"], **_typed({
            "id": _edge_id(row["agency"], f"{relation}:{row['check']}", row["indicator_iri"]), "label": relation,
            "kind": relation, "relation_zh": OUTCOMES.get(relation, relation), "family": "progress", "weight": 1.0,
            "report_count": 1, "report_ids": row["target_report"], "year": year, "last_year": year,
            "years": str(year)}, EDGE_DEFAULTS))
    _add_degree_and_viz(graph)
    return graph


INDICATOR_COLOR = "#e377c2"
VIEW_BUILDERS = {"agency-indicator": agency_indicator_network}


def _provenance(graphs: set[str], reports: dict[str, _Report]) -> dict[str, object]:
    years = _years_of(graphs, reports)
    ids = sorted(reports[g].ident if g in reports else g for g in graphs)
    return {"year": years[0] if years else None, "last_year": years[-1] if years else None,
            "years": " ".join(map(str, years)), "report_count": len(graphs), "report_ids": " ".join(ids)}


def _node_attrs(kind: str, attrs: dict[str, object], graphs: set[str], reports: dict[str, _Report]) -> dict:
    out: dict[str, object] = {}
    out.update({k: v for k, v in attrs.items() if k in NODE_DEFAULTS and v not in (None, "")})
    out.update(_provenance(graphs, reports), kind=kind, color=KIND_COLORS[kind])
    return _typed(out, NODE_DEFAULTS)


def _edge_attrs(source: str, target: str, relation: str, graphs: set[str], reports: dict[str, _Report]) -> dict:
    out: dict[str, object] = {}
    out.update(_provenance(graphs, reports), id=_edge_id(source, relation, target), label=relation,
               kind=relation, relation_zh=RELATIONS_ZH.get(relation, relation),
               family=RELATION_FAMILY.get(relation, ""), weight=float(len(graphs)))
    return _typed(out, EDGE_DEFAULTS)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not allowed in XML 1.0


def _typed(values: dict[str, object], defaults: dict[str, object]) -> dict[str, object]:
    """Every attribute with the type of its default (no None, lists or mixed types), except
    the OPTIONAL_NUMBERS that ``values`` does not state as a finite number: those are left out."""
    out = {}
    for name, default in defaults.items():
        value = values.get(name)
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if name in OPTIONAL_NUMBERS and not number:
            continue
        if value is None:
            value = default
        if isinstance(default, str):
            value = _NOT_XML.sub("", str(value))
        elif isinstance(default, float):
            value = float(value) if number else default
        elif isinstance(default, int):
            value = int(value) if number else default
        out[name] = value
    return out


def _add_evidence(graph: nx.MultiDiGraph, snap: _Snapshot, selected: set[str]) -> None:
    reports = snap.reports
    for (iri, sentence), graphs in sorted(snap.evidence.items()):
        hit = graphs & selected
        if iri not in graph or not hit or sentence not in snap.sentences:
            continue
        if sentence not in graph:
            info = snap.sentences[sentence]
            text = " ".join(info["text"].split())
            report = reports.get(info["graph"])
            attrs = {"label": text if len(text) <= 40 else text[:39] + "…", "text": text,
                     "section": info["section"],
                     "jurisdiction": snap.region_labels.get(report.region, "") if report else ""}
            graph.add_node(sentence, **_node_attrs(EVIDENCE_KIND, attrs, {info["graph"]}, reports))
        graph.add_edge(iri, sentence, key="evidence", **_edge_attrs(iri, sentence, "evidence", hit, reports))


def _add_degree_and_viz(graph: nx.MultiDiGraph) -> None:
    degrees = dict(graph.degree())
    top = max(degrees.values(), default=0)
    for iri, data in graph.nodes(data=True):
        degree = degrees[iri]
        data["export_degree"] = degree
        data["export_weighted_degree"] = float(graph.degree(iri, weight="weight"))
        data["size"] = round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(degree / top), 2) if top else MIN_SIZE


# -- writing ------------------------------------------------------------------------------

def check_excel(fmt: str, excel: bool) -> None:
    if excel and fmt != "csv":
        raise ValueError(f"excel (a byte order mark for Excel) applies to the csv format only, not {fmt!r}")


def write_export(graph: nx.MultiDiGraph, fmt: str, output: Path, excel: bool = False) -> list[Path]:
    """Write ``graph`` as ``fmt`` to ``output``; return the files written.

    GEXF and GraphML: ``output`` is the file (an existing folder gets
    ``policy-kg-<view>.gexf``/``.graphml`` inside). CSV: ``output`` is a folder that gets
    ``nodes.csv`` and ``edges.csv`` (created if needed), or, when it names a ``.csv`` file,
    the pair ``<stem>-nodes.csv`` and ``<stem>-edges.csv`` next to it; ``excel`` starts each
    with a UTF-8 byte order mark, so that Excel opens the Chinese intact (csv only).
    """
    check_format(fmt)
    check_excel(fmt, excel)
    output = Path(output)
    if fmt == "csv":
        if output.suffix.lower() == ".csv" and not output.is_dir():
            output.parent.mkdir(parents=True, exist_ok=True)
            nodes_path = output.with_name(f"{output.stem}-nodes.csv")
            edges_path = output.with_name(f"{output.stem}-edges.csv")
        else:
            output.mkdir(parents=True, exist_ok=True)
            nodes_path, edges_path = output / "nodes.csv", output / "edges.csv"
        nodes_path.write_bytes(nodes_csv(graph, excel))
        edges_path.write_bytes(edges_csv(graph, excel))
        return [nodes_path, edges_path]
    if output.is_dir():
        output = output / f"policy-kg-{graph.graph.get('view', 'all')}{EXTENSIONS[fmt]}"
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        output.write_bytes(graphml_bytes(graph))
    else:
        with output.open("wb") as out:
            write_gexf(graph, out, GEXF_VERSIONS[fmt])
    return [output]


def export(store: Store, fmt: str, output: Path, view: str = "all", filters: Filters = Filters(),
           include_evidence: bool = False, excel: bool = False, lang: str = "zh") -> list[Path]:
    """Build the network of ``view`` and write it as ``fmt`` to ``output``. Raise
    NothingToExport (one line, no file written) when the view and filters select no node."""
    check_format(fmt)
    check_excel(fmt, excel)
    graph = build_network(store, view, filters, include_evidence, lang)
    if graph.number_of_nodes() == 0:
        chosen = filters.describe()
        raise NothingToExport(f"nothing to export: view {view} "
                              f"{'without filters' if chosen == 'none' else 'with ' + chosen} selects no node "
                              "(kg stats shows what the store holds)")
    return write_export(graph, fmt, Path(output), excel)


def _rgb(color: str) -> dict[str, int]:
    text = (color or "#7f7f7f").lstrip("#")
    return {"r": int(text[0:2], 16), "g": int(text[2:4], 16), "b": int(text[4:6], 16)}


def _years(data: dict) -> list[int]:
    return [int(y) for y in str(data.get("years", "")).split() if y.isdigit()]


# GEXF attribute types of the Python types of NODE_DEFAULTS / EDGE_DEFAULTS (as networkx names them).
GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
# Node and edge attributes that GEXF holds in the element itself or in viz, not in attvalues.
NODE_OWN = ("label",) + VIZ_KEYS
EDGE_OWN = ("id", "label", "weight")


def gexf_bytes(graph: nx.MultiDiGraph, version: str = "1.3") -> bytes:
    """The GEXF of :func:`write_gexf` as bytes."""
    buffer = io.BytesIO()
    write_gexf(graph, buffer, version)
    return buffer.getvalue()


def write_gexf(graph: nx.MultiDiGraph, out: BinaryIO, version: str = "1.3") -> None:
    """Write a :func:`build_network` graph as GEXF ``1.3`` or ``1.2draft`` to the binary file
    ``out``, element by element (lxml's incremental writer), so memory does not grow with it.

    The document holds what networkx's ``write_gexf`` gives for the same graph (attribute
    ids, types and values, ``spells`` for the report years, viz colour and size), with what the
    official XSDs ask and networkx misses: no ``name`` on ``<graph>``, ``timeformat="integer"``,
    the real XML Schema instance namespace, viz ``color``/``size`` in the GEXF namespace, no
    ``networkx_key`` attribute, each namespace declared once (on the root), no attvalue for an
    unknown number; and for 1.3 the edge ``kind`` (Gephi's edge type, so that
    parallel edges of different relations are not merged) and a meta description. networkx
    builds the document in memory several times over (1.4 GB for a 90 MB file), hence this.
    """
    from lxml import etree

    if version not in GEXF_NS:
        raise ValueError(f"unknown GEXF version {version!r}: expected 1.3 or 1.2draft")
    ns = GEXF_NS[version]
    node_columns = [name for name in NODE_DEFAULTS if name not in NODE_OWN]
    edge_columns = [name for name in EDGE_DEFAULTS if name not in EDGE_OWN]
    node_ids = {name: str(i) for i, name in enumerate(node_columns)}
    edge_ids = {name: str(i + len(node_columns)) for i, name in enumerate(edge_columns)}
    dynamic = (any(_years(data) for _, data in graph.nodes(data=True))
               or any(_years(data) for *_, data in graph.edges(data=True)))
    description = (f"policy-kg network, view {graph.graph.get('view', 'all')}; "
                   f"filters: {graph.graph.get('filters', 'none')}")

    def text(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return _NOT_XML.sub("", str(value))

    def element(tag: str, attrs: dict[str, str]):
        # A leaf written whole (xf.write) carries its own namespace declarations: a GEXF-qualified
        # one would repeat xmlns="…" on every attvalue. Unqualified, it is written as <tag …/> and,
        # inside the root that declares GEXF as the default namespace, it is in that namespace.
        return etree.Element(tag, attrs)

    def spells(xf, data: dict) -> None:
        runs = _spells(_years(data))
        if runs:
            with xf.element(f"{{{ns}}}spells"):
                for start, end in runs:
                    xf.write(element("spell", {"start": str(start), "end": str(end)}))

    def attvalues(xf, data: dict, columns: list[str], ids: dict[str, str], defaults: dict) -> None:
        with xf.element(f"{{{ns}}}attvalues"):
            for name in columns:
                value = data.get(name, None if name in OPTIONAL_NUMBERS else defaults[name])
                if value is not None:  # an unknown number has no attvalue (never a false 0)
                    xf.write(element("attvalue", {"for": ids[name], "value": text(value)}))

    def declare(xf, klass: str, columns: list[str], ids: dict[str, str], defaults: dict) -> None:
        with xf.element(f"{{{ns}}}attributes", {"class": klass, "mode": "static"}):
            for name in columns:
                xf.write(element("attribute", {"id": ids[name], "title": name,
                                               "type": GEXF_TYPES[type(defaults[name])]}))

    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        root = {"version": "1.3" if version == "1.3" else "1.2",
                f"{{{XSI}}}schemaLocation": GEXF_SCHEMA_LOCATION[version]}
        with xf.element(f"{{{ns}}}gexf", root, nsmap={None: ns, "xsi": XSI}):
            meta = element("meta", {"lastmodifieddate": date.today().isoformat()})
            etree.SubElement(meta, "creator").text = "policy-kg"
            etree.SubElement(meta, "description").text = description
            xf.write(meta)
            xf.write("\n")
            mode = {"defaultedgetype": "directed", "mode": "dynamic" if dynamic else "static"}
            if dynamic:
                mode["timeformat"] = "integer"
            with xf.element(f"{{{ns}}}graph", mode):
                declare(xf, "node", node_columns, node_ids, NODE_DEFAULTS)
                declare(xf, "edge", edge_columns, edge_ids, EDGE_DEFAULTS)
                with xf.element(f"{{{ns}}}nodes"):
                    for iri, data in graph.nodes(data=True):
                        with xf.element(f"{{{ns}}}node", {"id": text(iri), "label": text(data.get("label", iri))}):
                            spells(xf, data)
                            rgb = _rgb(str(data.get("color", "")))
                            xf.write(element("color", {"r": str(rgb["r"]), "g": str(rgb["g"]),
                                                       "b": str(rgb["b"]), "a": "1.0"}))
                            xf.write(element("size", {"value": str(float(data.get("size", MIN_SIZE)))}))
                            attvalues(xf, data, node_columns, node_ids, NODE_DEFAULTS)
                        xf.write("\n")
                        xf.flush()
                with xf.element(f"{{{ns}}}edges"):
                    for source, target, key, data in graph.edges(keys=True, data=True):
                        attrs = {"source": text(source), "target": text(target),
                                 "id": text(data.get("id") or _edge_id(source, str(key), target)),
                                 "label": text(data.get("label", key)),
                                 "weight": str(float(data.get("weight", 1.0)))}
                        if version == "1.3":
                            attrs["kind"] = text(data.get("kind") or key)
                        with xf.element(f"{{{ns}}}edge", attrs):
                            spells(xf, data)
                            attvalues(xf, data, edge_columns, edge_ids, EDGE_DEFAULTS)
                        xf.write("\n")
                        xf.flush()


def graphml_bytes(graph: nx.MultiDiGraph) -> bytes:
    """GraphML by networkx; colour and size as the r, g, b and size data Gephi reads."""
    out = nx.MultiDiGraph(**{k: str(v) for k, v in graph.graph.items()})
    for iri, data in graph.nodes(data=True):
        attrs = {k: v for k, v in data.items() if k != "color"}
        attrs.update(_rgb(str(data.get("color", ""))))
        out.add_node(iri, **attrs)
    for source, target, key, data in graph.edges(keys=True, data=True):
        attrs = dict(data)
        attrs.setdefault("id", _edge_id(source, str(key), target))
        out.add_edge(source, target, key=key, **attrs)
    buffer = io.BytesIO()
    nx.write_graphml(out, buffer, encoding="utf-8", edge_id_from_attribute="id")
    return _fix_graphml(buffer.getvalue())


def _fix_graphml(data: bytes) -> bytes:
    """Rename networkx's key ids (d0, d1 …) to ``<domain>_<name>`` (node_label, edge_weight …).

    Gephi's GraphML importer looks a key up by its id before its attr.name, and it takes the
    ids ``d3`` (nodes) and ``d7`` (edges) for labels (yEd's convention), so with networkx's
    numbering whatever attribute happened to be fourth became every node's label.
    """
    from lxml import etree

    ns = "http://graphml.graphdrawing.org/xmlns"
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    renamed: dict[str, str] = {}
    for key in root.iter(f"{{{ns}}}key"):
        new = f"{key.get('for', 'all')}_{key.get('attr.name', key.get('id'))}"
        renamed[key.get("id")] = new
        key.set("id", new)
    for value in root.iter(f"{{{ns}}}data"):
        value.set("key", renamed.get(value.get("key"), value.get("key")))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def node_columns(graph: nx.Graph) -> list[str]:
    names = [name for name in NODE_DEFAULTS if name not in ("label",) + VIZ_KEYS]
    extra = sorted({k for _, d in graph.nodes(data=True) for k in d} - set(NODE_DEFAULTS))
    return names + extra


def edge_columns(graph: nx.Graph) -> list[str]:
    names = [name for name in EDGE_DEFAULTS if name not in ("id", "label", "weight", "kind")]
    extra = sorted({k for *_, d in graph.edges(data=True) for k in d} - set(EDGE_DEFAULTS))
    return names + extra


def timeset(data: dict) -> str:
    """The report years as Gephi's spreadsheet interval set: one closed interval per run of
    consecutive years (the GEXF spells), ``<[2022,2024];[2026,2026]>``; empty without years."""
    runs = _spells(_years(data))
    return "<" + ";".join(f"[{start},{end}]" for start, end in runs) + ">" if runs else ""


def _table(rows: list[list[str]], excel: bool) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return (b"\xef\xbb\xbf" if excel else b"") + buffer.getvalue().encode("utf-8")


def nodes_csv(graph: nx.MultiDiGraph, excel: bool = False) -> bytes:
    """Gephi's node table: Id, Label, Timeset (the report years, so that the timeline works
    from the spreadsheet import too), then the attributes. UTF-8 without a BOM by default (Gephi
    would read a BOM as part of the first header), with one when ``excel`` is set (Excel reads
    a CSV without one in the local code page, which garbles the Chinese)."""
    columns = node_columns(graph)
    rows = [["Id", "Label", "Timeset"] + columns]
    for iri, data in graph.nodes(data=True):
        rows.append([iri, _cell(data.get("label", "")), timeset(data)]
                    + [_cell(data.get(c, None if c in OPTIONAL_NUMBERS else NODE_DEFAULTS.get(c))) for c in columns])
    return _table(rows, excel)


def edges_csv(graph: nx.MultiDiGraph, excel: bool = False) -> bytes:
    """Gephi's edge table: Source, Target, Type, Id, Label, Weight, Kind (Gephi keeps
    parallel edges of different kinds apart), Timeset, then the attributes (BOM: as nodes_csv)."""
    columns = edge_columns(graph)
    rows = [["Source", "Target", "Type", "Id", "Label", "Weight", "Kind", "Timeset"] + columns]
    for source, target, key, data in graph.edges(keys=True, data=True):
        rows.append([source, target, "Directed", _cell(data.get("id") or _edge_id(source, str(key), target)),
                     _cell(data.get("label", key)), _cell(data.get("weight", 1.0)), _cell(data.get("kind", key)),
                     timeset(data)]
                    + [_cell(data.get(c, None if c in OPTIONAL_NUMBERS else EDGE_DEFAULTS.get(c))) for c in columns])
    return _table(rows, excel)
