"""The pipeline end to end: read → segment → nlp → facts → resolve → rdf → validate → store.

``report_graph_of(report)`` builds one report's graph as an rdflib Graph without a store (``kg
extract``); ``report_triples_of(report)`` builds the same triples as N-Triples terms, the
form ingest validates (compiled shapes) and stores; ``ingest_paths(paths, store)`` runs a batch: a report that cannot be read or
does not validate is reported with one line naming the file and the reason, and the batch
goes on (it is :mod:`kg.parallel`'s batch path with one job). A report's named graph is stored
whole or not at all, so the store never holds half a report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rdflib import Graph

from kg.authority import Authority, default_authority
from kg.extract import extract
from kg.limits import BadSetting, Budget, LimitExceeded
from kg.progress import refresh_after
from kg.graph.rdf import build_graph, build_triples
from kg.read import Report, ReportMeta
from kg.resolve import resolve
from kg.store import Store
from kg.graph.triples import ReportTriples
from kg.graph.validate import Validation, validate, validate_triples
from kg.urls import BadURL
from kg.graph.vocab import report_graph


@dataclass
class Outcome:
    """What happened to one report file."""
    source: str
    report_id: str = ""
    triples: int = 0
    stored: bool = False
    error: str = ""
    violations: list[str] = field(default_factory=list)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)   # manifest problems and the like

    @property
    def stored(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.stored]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.stored]

    @property
    def triples(self) -> int:
        return sum(o.triples for o in self.stored)

    @property
    def violations(self) -> int:
        return sum(len(o.violations) for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors


class GraphClaims:
    """Which file holds each report graph in one batch: a second file whose report id names a
    graph already taken (the same id twice) is refused with a line naming both files and rows."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, str, str]] = {}  # graph IRI -> (report id, file, label)

    def claim(self, report_id: str, source: str, row: str = "") -> str:
        """"" when the report from ``source`` may have its graph, else why not (one line)."""
        graph = str(report_graph(report_id))
        label = f"{source} ({row})" if row else source
        held = self._held.get(graph)
        if held is None or held[1] == source:
            self._held[graph] = (report_id, source, label)
            return ""
        other_id, _, other_label = held
        if other_id == report_id:
            return f"{label}: report id {report_id!r} is already used by {other_label}"
        return f"{label}: report id {report_id!r} names the graph of report id {other_id!r} ({other_label})"


def report_graph_of(report: Report, authority: Authority | None = None, budget: Budget | None = None) -> Graph:
    """The RDF graph of one report (not validated), within ``budget`` (:mod:`kg.limits`; by
    default the limits set in the environment): else :class:`~kg.limits.LimitExceeded`."""
    budget = budget or Budget.from_env()
    graph = build_graph(*_extract_and_resolve(report, authority, budget))
    budget.clock("building the graph")
    return graph


def report_triples_of(report: Report, authority: Authority | None = None,
                      budget: Budget | None = None) -> ReportTriples:
    """The triples of :func:`report_graph_of`'s graph, written as N-Triples terms (no rdflib
    graph: several times faster), within ``budget``."""
    budget = budget or Budget.from_env()
    triples = build_triples(*_extract_and_resolve(report, authority, budget))
    budget.clock("building the graph")
    return triples


def _extract_and_resolve(report: Report, authority: Authority | None, budget: Budget):
    """The report's facts and their resolution, the clock checked after each: what both graph
    builds start from."""
    extraction = extract(report, budget=budget)
    resolution = resolve(extraction, authority)
    budget.clock("resolving")
    return extraction, resolution


def check_triples(report: Report, authority: Authority | None = None,
                  shacl: bool = True) -> tuple[ReportTriples, Validation | None]:
    """:func:`check` on the report's triples: what ingest stores."""
    budget = Budget.from_env()
    triples = report_triples_of(report, authority, budget)
    validation = validate_triples(triples) if shacl else None
    budget.clock("validating")
    return triples, validation


def check(report: Report, authority: Authority | None = None, shacl: bool = True) -> tuple[Graph, Validation | None]:
    """The report's graph and its validation, both within one budget (:mod:`kg.limits`)."""
    budget = Budget.from_env()
    graph = report_graph_of(report, authority, budget)
    validation = validate(graph) if shacl else None
    budget.clock("validating")
    return graph, validation


def ingest_report(store: Store, report: Report, authority: Authority | None = None, shacl: bool = True,
                  source: str = "") -> Outcome:
    outcome = Outcome(source=source or report.path, report_id=report.id)
    try:
        triples, validation = check_triples(report, authority, shacl)
    except (BadURL, LimitExceeded, BadSetting) as err:
        outcome.error = f"not stored: {err}"
        return outcome
    outcome.triples = len(triples)
    if validation is not None and not validation.conforms:
        outcome.violations = validation.violations
        outcome.error = f"not stored: {validation.summary()}"
        return outcome
    store.replace_ntriples(str(report_graph(report.id)), triples.ntriples())
    outcome.stored = True
    return outcome


def ingest_text(store: Store, text: str, meta: ReportMeta, shacl: bool = True) -> Outcome:
    """Ingest one report given as text (the API's POST /reports)."""
    import hashlib

    from kg.read import meta_from_text

    if not text.strip() or not re.search(r"[\u4e00-\u9fff]", text):
        return Outcome(source=meta.id, report_id=meta.id,
                       error=f"{meta.id}: empty report or no Chinese text: not a government report")
    nul = text.find("\x00")
    if nul >= 0:  # as kg.read.decode for files
        return Outcome(source=meta.id, report_id=meta.id,
                       error=f"{meta.id}: binary file, not a text report (a NUL byte at character {nul})")
    guessed = meta_from_text(text, meta.id)
    meta = ReportMeta(id=meta.id, title=meta.title or guessed.title, agency=meta.agency or guessed.agency,
                      jurisdiction=meta.jurisdiction or guessed.jurisdiction,
                      year=meta.year if meta.year is not None else guessed.year, url=meta.url)
    if meta.year is None:
        return Outcome(source=meta.id, report_id=meta.id, error=f"{meta.id}: no year: give one or put it in the title line")
    report = Report(meta=meta, text=text.replace("\r\n", "\n"), path=meta.id,
                    sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    outcome = ingest_report(store, report, default_authority(), shacl, source=meta.id)
    if outcome.stored:
        refresh_after(store, [outcome.report_id])  # the body's progress checks (kg.progress)
    return outcome


def ingest_paths(paths: Iterable[Path], store: Store, shacl: bool = True, authority: Authority | None = None,
                 on_start: Callable[[int], None] | None = None,
                 on_done: Callable[[Outcome], None] | None = None) -> Summary:
    """Ingest files and folders (folders with a manifest.csv get its metadata), in this
    process: the batch path of :mod:`kg.parallel` with one job (the same claims, batched
    writes and one-line reasons as ``--jobs N``)."""
    from kg.parallel import ingest_paths_parallel

    return ingest_paths_parallel(paths, store, jobs=1, shacl=shacl, authority=authority,
                                 on_start=on_start, on_done=on_done)


def recompute_progress(store: Store, summary: Summary) -> None:
    """After a batch: the progress checks of the bodies it touched (kg.progress), from the whole
    store, so that they do not depend on the order reports came in; a failure is one line."""
    problem = refresh_after(store, [o.report_id for o in summary.stored])
    if problem:
        summary.errors.append(problem)
