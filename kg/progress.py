"""Commitments kept or missed: a body's targets and plans followed into its next report.

A target for year N (set in the body's report of year N−1) is checked against the metric of
the same body and indicator (kg.indicators) in its report of year N; the check records the
outcome (:func:`outcome`): ``met``, ``exceeded`` (better than the target by more than the
tolerance), ``missed``, or ``not-reported`` when the report of year N gives no such figure.
A planned action that names a document (修订X条例) or an initiative (上线Y平台) is checked
against the later report's actions on that document, or mentions of that initiative, outside
the plan and problems sections: ``done`` or ``not-reported``. Nothing is checked before the
body's report of year N is in the store.

The checks of one body live in a derived named graph of their own,
``id:graph/progress/<agency>``, with ``prov:wasDerivedFrom`` to both sentences of every check
and to every report used. :func:`refresh_after` recomputes, after each ingest batch, the graphs
of the bodies the batch touched (the bodies of its reports, and those whose checks came from
them) from the whole store, each replaced in one transaction: so the checks never depend on
the order reports were ingested in, nor on how often. Only the reports that have a report of
the same body of the year before or after them are read for facts (:func:`_paired`), from their
own graphs: the cost follows the bodies a batch touched, not the size of the store.

A body renamed (``kg/lexicons/successors.tsv``: old name, new name) is followed under its new
name: the targets of the old name are checked against the reports of the new one.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from kg.indicators import comparable, in_base
from kg.graph.triples import ReportTriples, iri as nt_iri
from kg.search import prepared_entries
from kg.store import PreparedGraph, Store, StoreError
from kg.graph.vocab import ACTION, ID, OUTCOME, PKG, ROLE, digest, entity_iri, report_iri

TOLERANCE = Decimal("0.1")   # about: ±10% of the value
BATCH = 200                  # bodies per query
NOT_DONE_ROLES = {str(ROLE.plan), str(ROLE.problems)}  # a plan repeated, or a problem, is not a deed
SUCCESSORS = Path(__file__).resolve().parent / "lexicons" / "successors.tsv"
_TYPE, _CHECK = nt_iri(RDF.type), nt_iri(PKG.ProgressCheck)  # as ReportTriples writes them

PREFIXES = """PREFIX pkg: <https://w3id.org/policy-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX role: <https://w3id.org/policy-kg/scheme/section-role/>
PREFIX action: <https://w3id.org/policy-kg/scheme/action/>
"""


def outcome(comparator: str, value: Decimal, upper: Decimal | None, result: Decimal, direction: str) -> str:
    """met, exceeded or missed for a target (comparator, value, upper) and the reported result.

    about: within ±10% of the value is met; exact: only the value; range: value to upper;
    at-least: from the value up to 10% above it (further up is exceeded); at-most: from 10%
    below the value up to it (further down is exceeded). Outside, the side that is better for
    the indicator is exceeded and the other missed: at-least means more is better, at-most
    less; else the indicator's direction decides (neutral: either side is a miss)."""
    spread = abs(value) * TOLERANCE
    low, high = {"about": (value - spread, value + spread), "range": (value, upper if upper is not None else value),
                 "at-least": (value, value + spread), "at-most": (value - spread, value)}.get(comparator, (value, value))
    better = {"at-least": "up", "at-most": "down"}.get(comparator, direction)
    if low <= result <= high:
        return "met"
    if result > high:
        return "exceeded" if better == "up" else "missed"
    return "exceeded" if better == "down" else "missed"


@lru_cache(maxsize=1)
def successors() -> dict[URIRef, URIRef]:
    """Agency IRI → the IRI of its newest name (from kg/lexicons/successors.tsv)."""
    from kg.resolve import agency_key

    pairs: dict[URIRef, URIRef] = {}
    if SUCCESSORS.is_file():
        with SUCCESSORS.open(encoding="utf-8") as handle:
            for row in csv.reader(handle, delimiter="\t"):
                if len(row) >= 2 and row[0].strip() and not row[0].startswith("#"):
                    pairs[entity_iri("agency", agency_key(row[0].strip()))] = \
                        entity_iri("agency", agency_key(row[1].strip()))
    newest: dict[URIRef, URIRef] = {}
    for old in pairs:
        seen, current = {old}, pairs[old]
        while current in pairs and current not in seen:
            seen.add(current)
            current = pairs[current]
        newest[old] = current
    return newest


def group_of(body: URIRef) -> URIRef:
    """The body a body's checks are kept under: its newest name."""
    return successors().get(body, body)


def members(group: URIRef) -> list[URIRef]:
    """The bodies followed under ``group``: itself and its former names."""
    return sorted({group, *(old for old, new in successors().items() if new == group)})


def progress_graph(body: URIRef) -> URIRef:
    """The derived named graph that holds the checks of one body."""
    return ID[f"graph/progress/{str(body).rsplit('/', 1)[-1]}"]


def _values(name: str, iris: Iterable[URIRef]) -> str:
    return f"VALUES ?{name} {{ {' '.join(f'<{iri}>' for iri in iris)} }}"


def touched_bodies(store: Store, report_ids: Iterable[str]) -> set[URIRef]:
    """The bodies whose checks a change to these reports may change: their authors, and the
    bodies whose progress graph was derived from one of them."""
    ids = sorted(set(report_ids))
    bodies: set[URIRef] = set()
    for i in range(0, len(ids), BATCH):
        reports = [report_iri(rid) for rid in ids[i:i + BATCH]]
        query = PREFIXES + f"""SELECT DISTINCT ?body WHERE {{ {_values('r', reports)}
          {{ GRAPH ?g {{ ?r dcterms:creator ?body }} }} UNION {{ GRAPH ?pg {{ ?pg prov:wasDerivedFrom ?r ; dcterms:subject ?body }} }} }}"""
        bodies.update(URIRef(row["body"]) for row in store.select_rows(query))
    return bodies


@dataclass
class _Fact:
    iri: str
    report: str
    report_year: int
    year: int
    sentence: str
    start: int = 0
    indicator: str = ""
    label: str = ""
    direction: str = "up"
    value: Decimal = Decimal(0)
    upper: Decimal | None = None
    unit: str = ""
    comparator: str = ""
    obj: str = ""


_REPORT_VARIABLES = {"body", "r", "ry"}
_VARIABLE = re.compile(r"[?$](\w+)")


def _select(store: Store, bodies: list[URIRef], where: str, select: str,
            graphs: Iterable[str] | None = None,
            reports: dict[str, list[dict[str, str]]] | None = None) -> list[dict[str, str]]:
    """Distinct rows ``select`` of ``where`` in the graphs of the reports ``?r`` (of year ``?ry``)
    of ``bodies``.

    With ``graphs`` (and ``reports``: graph IRI → the rows ``body r ry`` of its reports, which
    :func:`_read` has already asked), only in those graphs, BATCH a query: Oxigraph then starts
    from the graphs, whatever else the store holds (both sets in VALUES would make it try every
    pair). The report's own triples are then not matched again for every row of ``where`` (96
    against 56 µs a row of targets): its rows are joined here, on the graph and on ``?body``
    when ``where`` names it, so ``where`` may not name ``?r`` or ``?ry``."""
    frame = PREFIXES + f"""SELECT DISTINCT {select} WHERE {{ %s
      GRAPH ?g {{ ?r a pkg:Report ; dcterms:creator ?body ; pkg:year ?ry . {where} }} }}"""
    if graphs is None:
        return list(store.select_rows(frame % _values("body", bodies)))
    used = set(_VARIABLE.findall(where))
    if reports is None or used & {"r", "ry"}:
        raise ValueError("asked by graph: give the graphs' reports, and a where clause without ?r or ?ry")
    wanted, ordered, found = set(map(str, bodies)), sorted(graphs), {}
    selected = _VARIABLE.findall(select)
    own = sorted((set(selected) - _REPORT_VARIABLES) | {"g"} | ({"body"} & used))
    facts = PREFIXES + f"""SELECT DISTINCT {' '.join('?' + v for v in own)} WHERE {{ %s
      GRAPH ?g {{ {where} }} }}"""
    for i in range(0, len(ordered), BATCH):
        for fact in store.select_rows(facts % _values("g", map(URIRef, ordered[i:i + BATCH]))):
            for report in reports.get(fact["g"], ()):
                if report["body"] not in wanted or ("body" in fact and fact["body"] != report["body"]):
                    continue
                joined = {**fact, **report}
                row = {name: joined[name] for name in selected if name in joined}
                found.setdefault(tuple(sorted(row.items())), row)  # DISTINCT across the queries
    return list(found.values())


def _paired(reports: list[dict[str, str]]) -> tuple[set[str], set[str]]:
    """(graphs of reports a later report answers, graphs of reports that answer an earlier one),
    from rows ``?body ?r ?ry ?g`` of :func:`_read`: a report of year N−1 and another report of
    year N of the same group. Only these reports' targets, plans, metrics and actions can make a
    check (:func:`build_checks`); a body with one year in the store has none to read."""
    years: dict[tuple[URIRef, int], set[str]] = {}
    for row in reports:
        years.setdefault((group_of(URIRef(row["body"])), int(row["ry"])), set()).add(row["r"])
    setting, answering = set(), set()
    for row in reports:
        group, year = group_of(URIRef(row["body"])), int(row["ry"])
        if years.get((group, year + 1), set()) - {row["r"]}:
            setting.add(row["g"])
        if years.get((group, year - 1), set()) - {row["r"]}:
            answering.add(row["g"])
    return setting, answering


def _read(store: Store, bodies: list[URIRef]) -> dict[str, list]:
    """Everything the checks of ``bodies`` need, in a handful of queries: the bodies' reports,
    then only from the reports that have a report of the year before or after them (:func:`_paired`)."""
    found = _select(store, bodies, "", "?body ?r ?ry ?g")
    reports = list({(row["body"], row["r"], row["ry"]): row for row in found}.values())
    setting, answering = _paired(found)
    known: dict[str, list[dict[str, str]]] = {}  # graph IRI → its reports, for every _select below
    for row in found:
        known.setdefault(row["g"], []).append({key: row[key] for key in ("body", "r", "ry")})
    data: dict[str, list] = {"reports": reports, "targets": [], "metrics": [], "plans": [], "done": []}
    if setting:
        data["targets"] = _select(store, bodies, """
            ?t a pkg:Target ; prov:wasAttributedTo ?body ; pkg:measures ?ind ; pkg:value ?v ; pkg:unit ?u ;
               pkg:comparator ?c ; pkg:year ?y ; pkg:evidence ?s .""", "?body ?r ?ry ?t ?ind ?v ?u ?c ?y ?s ?g", setting, known)
        # upper bounds apart: an OPTIONAL here costs twenty times the query (Oxigraph's join order)
        uppers = {row["t"]: row["upper"] for row in _select(
            store, bodies, "?t a pkg:Target ; prov:wasAttributedTo ?body ; pkg:upperValue ?upper .", "?body ?t ?upper",
            setting, known)}
        concepts = _indicators(store, {row["ind"] for row in data["targets"]}, {row["g"] for row in data["targets"]})
        for row in data["targets"]:  # the indicator's label and direction, asked once per indicator
            row["il"], row["dir"] = concepts.get(row["ind"], ("", "up"))
            if row["t"] in uppers:
                row["upper"] = uppers[row["t"]]
        data["plans"] = _plans(store, bodies, setting, known)
    if answering:
        data["metrics"] = _select(store, bodies, """
            ?m a pkg:Metric ; prov:wasAttributedTo ?body ; pkg:measures ?ind ; pkg:value ?v ; pkg:unit ?u ;
               pkg:year ?y ; pkg:evidence ?s ; nif:beginIndex ?start .""", "?body ?r ?ry ?m ?ind ?v ?u ?y ?s ?start",
            answering, known)
        # what was done: actions on documents and mentions of initiatives, outside the plan and problems
        # sections; filtered here, not in SPARQL (a FILTER there costs twenty times the query)
        done = _select(store, bodies, """
            ?a a pkg:Action ; prov:wasAssociatedWith ?body ; prov:used ?obj ; pkg:evidence ?s ; nif:beginIndex ?start ;
               pkg:actionType ?type . ?s pkg:sectionRole ?role .""", "?body ?r ?ry ?a ?obj ?s ?start ?type ?role",
            answering, known)
        done += _select(store, bodies, """
            ?a a pkg:Mention ; pkg:refersTo ?obj ; pkg:evidence ?s ; nif:beginIndex ?start . ?obj a pkg:Initiative .
            ?s pkg:sectionRole ?role .""", "?body ?r ?ry ?a ?obj ?s ?start ?role", answering, known)
        data["done"] = [row for row in done if row.get("type") != str(ACTION.plan) and row["role"] not in NOT_DONE_ROLES]
    return data


def _plans(store: Store, bodies: list[URIRef], graphs: set[str],
           known: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """Planned actions (?c) and what they name (?obj): the documents they reference, and the
    initiatives mentioned inside the plan's span (上线Y平台). The spans are compared here: in
    SPARQL a FILTER inside a UNION branch sees only that branch's variables (an earlier version
    compared unbound offsets there and never matched), and here it costs nothing."""
    rows = _select(store, bodies, """?c a pkg:Commitment ; prov:wasAttributedTo ?body ; pkg:year ?y ; pkg:evidence ?s ;
        nif:beginIndex ?cb ; nif:endIndex ?ce ; dcterms:references ?obj .""", "?body ?r ?ry ?c ?y ?s ?obj", graphs, known)
    mentions: dict[str, list[dict[str, str]]] = {}
    for row in _select(store, bodies, """?mn a pkg:Mention ; pkg:refersTo ?obj ; nif:beginIndex ?mb ; nif:endIndex ?me .
            ?obj a pkg:Initiative .""", "?body ?r ?ry ?obj ?mb ?me", graphs, known):
        mentions.setdefault(row["r"], []).append(row)
    if not mentions:
        return rows
    named = {(row["c"], row["obj"]) for row in rows}
    for plan in _select(store, bodies, """?c a pkg:Commitment ; prov:wasAttributedTo ?body ; pkg:year ?y ;
            pkg:evidence ?s ; nif:beginIndex ?cb ; nif:endIndex ?ce .""", "?body ?r ?ry ?c ?y ?s ?cb ?ce", graphs, known):
        start, end = int(plan["cb"]), int(plan["ce"])
        for mention in mentions.get(plan["r"], ()):
            if start <= int(mention["mb"]) and int(mention["me"]) <= end and (plan["c"], mention["obj"]) not in named:
                named.add((plan["c"], mention["obj"]))
                rows.append({key: plan[key] for key in ("body", "r", "ry", "c", "y", "s")} | {"obj": mention["obj"]})
    return rows


def _indicators(store: Store, iris: set[str], graphs: set[str]) -> dict[str, tuple[str, str]]:
    """Indicator IRI → (Chinese label, direction), as described in ``graphs`` (the graphs of the
    targets: each report graph describes the concepts it uses, kg.indicators.add_indicator).
    Asked by graph only: every concept a graph describes comes back and those not in ``iris``
    are left here (VALUES of both the indicators and the graphs made Oxigraph try every pair:
    a quarter of the checks' time after a batch of 10,000 reports)."""
    out: dict[str, tuple[str, str]] = {}
    scopes = sorted(graphs)
    for j in range(0, len(scopes), BATCH):
        query = PREFIXES + f"""SELECT ?ind (SAMPLE(?il) AS ?label) (SAMPLE(?dir) AS ?direction) WHERE {{
          {_values('g', map(URIRef, scopes[j:j + BATCH]))}
          GRAPH ?g {{ ?ind pkg:direction ?dir ; skos:prefLabel ?il . FILTER(LANG(?il) = "zh") }} }} GROUP BY ?ind"""
        for row in store.select_rows(query):
            if row["ind"] in iris:
                out.setdefault(row["ind"], (row["label"], row["direction"]))
    return out


def _dec(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


def build_checks(group: URIRef, data: dict[str, list]) -> ReportTriples:
    """The progress graph of one body (``group`` and its former names) from the rows of
    :func:`_read`, its terms written as N-Triples (as report graphs are built: no rdflib Graph
    to fill and serialise again)."""
    g = ReportTriples()
    years: dict[int, set[str]] = {}
    for row in data["reports"]:
        years.setdefault(int(row["ry"]), set()).add(row["r"])
    metrics: dict[tuple[str, int], list[_Fact]] = {}
    for row in data["metrics"]:
        if int(row["y"]) != int(row["ry"]):
            continue  # a figure of another year than the report's
        fact = _Fact(row["m"], row["r"], int(row["ry"]), int(row["y"]), row["s"], int(row["start"]),
                     row["ind"], value=Decimal(row["v"]), unit=row["u"])
        metrics.setdefault((fact.indicator, fact.year), []).append(fact)
    for found in metrics.values():
        found.sort(key=lambda f: (f.report, f.start, f.iri))
    graph = progress_graph(group)
    used: set[str] = set()

    def check(kind: str, key: str, first: _Fact, label: str, result: str) -> URIRef:
        node = ID[f"progress/{digest(kind, key)}"]
        g.add((node, RDF.type, PKG.ProgressCheck))
        g.add((node, RDF.type, PKG[kind]))
        g.add((node, RDFS.label, Literal(label, lang="zh")))
        g.add((node, PKG.year, Literal(first.year)))
        g.add((node, PROV.wasAttributedTo, group))
        g.add((node, PKG.outcome, OUTCOME[result]))
        g.add((node, PROV.wasDerivedFrom, URIRef(first.sentence)))
        used.add(first.report)
        return node

    for row in data["targets"]:
        target = _Fact(row["t"], row["r"], int(row["ry"]), int(row["y"]), row["s"], indicator=row["ind"],
                       label=row["il"], direction=row["dir"], value=Decimal(row["v"]), upper=_dec(row.get("upper")),
                       unit=row["u"], comparator=row["c"])
        later = years.get(target.year, set()) - {target.report}
        if target.year != target.report_year + 1 or not later:
            continue  # not a target for next year, or its year's report is not in yet
        results = [m for m in metrics.get((target.indicator, target.year), [])
                   if m.report in later and comparable(target.unit, m.unit)]
        if results:
            metric = results[0]
            upper = in_base(target.upper, target.unit) if target.upper is not None else None
            result = outcome(target.comparator, in_base(target.value, target.unit), upper,
                             in_base(metric.value, metric.unit), target.direction)
        else:
            metric, result = None, "not-reported"
        node = check("TargetCheck", target.iri, target, f"{target.label} {target.year}: {result}", result)
        g.add((node, PKG.target, URIRef(target.iri)))
        g.add((node, PKG.measures, URIRef(target.indicator)))
        if metric is not None:
            g.add((node, PKG.result, URIRef(metric.iri)))
            g.add((node, PROV.wasDerivedFrom, URIRef(metric.sentence)))
            used.add(metric.report)
        else:
            used.update(later)

    done: dict[tuple[str, int], list[_Fact]] = {}
    for row in data["done"]:
        fact = _Fact(row["a"], row["r"], int(row["ry"]), int(row["ry"]), row["s"], int(row["start"]), obj=row["obj"])
        done.setdefault((fact.obj, fact.year), []).append(fact)
    for found in done.values():
        found.sort(key=lambda f: (f.report, f.start, f.iri))
    for row in data["plans"]:
        plan = _Fact(row["c"], row["r"], int(row["ry"]), int(row["y"]), row["s"], obj=row["obj"])
        later = years.get(plan.year, set()) - {plan.report}
        if plan.year != plan.report_year + 1 or not later:
            continue
        actions = [a for a in done.get((plan.obj, plan.year), []) if a.report in later]
        result = "done" if actions else "not-reported"
        node = check("PlanCheck", f"{plan.iri}\x1f{plan.obj}", plan, f"{plan.year}: {result}", result)
        g.add((node, PKG.commitment, URIRef(plan.iri)))
        g.add((node, DCTERMS.references, URIRef(plan.obj)))
        if actions:
            g.add((node, PKG.laterAction, URIRef(actions[0].iri)))
            g.add((node, PROV.wasDerivedFrom, URIRef(actions[0].sentence)))
            used.add(actions[0].report)
        else:
            used.update(later)
    if len(g):
        g.add((graph, DCTERMS.subject, group))
        for report in sorted(used):
            g.add((graph, PROV.wasDerivedFrom, URIRef(report)))
    return g


def _label(store: Store, body: URIRef) -> str:
    """A body's name, for its progress graph's label (its IRI's last segment if it has none)."""
    for row in store.select_rows(f"SELECT ?l WHERE {{ GRAPH ?g {{ <{body}> <{RDFS.label}> ?l }} }} LIMIT 1"):
        return row["l"]
    return str(body).rsplit("/", 1)[-1]


def _stored_graphs(store: Store, iris: list[str]) -> set[str]:
    """Which of the progress graphs ``iris`` the store holds (each has triples about itself:
    its type, label, subject and sources)."""
    query = f"SELECT DISTINCT ?pg WHERE {{ {_values('pg', map(URIRef, iris))} GRAPH ?pg {{ ?pg ?p ?o }} }}"
    return {row["pg"] for row in store.select_rows(query)}


def _write(store: Store, graphs: list[tuple[str, ReportTriples]], drops: Iterable[str]) -> None:
    """Replace the progress graphs ``graphs`` (each all or nothing) and drop ``drops``. An
    embedded store takes them in one call (``bulk_replace``, with their index rows); a SPARQL
    endpoint one update each."""
    bulk = getattr(store, "bulk_replace", None)
    if bulk is not None and graphs:
        bulk([(iri, PreparedGraph(triples.ntriples(), prepared_entries(triples))) for iri, triples in graphs])
    else:
        for iri, triples in graphs:
            store.replace_ntriples(iri, triples.ntriples())
    for iri in drops:
        store.drop_graph(iri)


def refresh(store: Store, bodies: Iterable[URIRef]) -> int:
    """Recompute the progress graphs of ``bodies`` (and of the names they are followed under)
    from the store; each graph is replaced in one transaction, or dropped when it holds no
    check. Returns the number of checks written."""
    groups = sorted({group_of(URIRef(b)) for b in bodies})
    checks = 0
    for i in range(0, len(groups), BATCH):
        chunk = groups[i:i + BATCH]
        everyone = sorted({m for group in chunk for m in members(group)})
        data = _read(store, everyone)
        mine: dict[URIRef, dict[str, list]] = {group: {key: [] for key in data} for group in chunk}
        for key, found in data.items():  # each row to the group of its body
            for row in found:
                mine[group_of(URIRef(row["body"]))][key].append(row)
        writes, empty = [], []
        for group in chunk:
            graph = build_checks(group, mine[group])
            iri = str(progress_graph(group))
            if len(graph):
                graph.add((URIRef(iri), RDF.type, PROV.Bundle))  # a named set of derived statements
                graph.add((URIRef(iri), RDFS.label, Literal(f"{_label(store, group)}：目标与成效核对", lang="zh")))
                writes.append((iri, graph))
                checks += sum(1 for types in graph.index.values() if _CHECK in types.get(_TYPE, ()))
            else:
                empty.append(iri)
        _write(store, writes, sorted(_stored_graphs(store, empty)) if empty else [])
    return checks


def refresh_after(store: Store, report_ids: Iterable[str]) -> str:
    """After an ingest batch that stored ``report_ids``: recompute the checks of the bodies it
    touched. Returns "" or one line saying why the checks could not be recomputed."""
    ids = [rid for rid in report_ids if rid]
    if not ids:
        return ""
    try:
        bodies = touched_bodies(store, ids)
        bodies |= {old for body in bodies for old in members(group_of(body))}
        refresh(store, bodies)
    except StoreError as err:
        return f"progress checks not recomputed: {err}"
    return ""
