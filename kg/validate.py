"""The validation stage: check a report's graph against the SHACL shapes in ``shapes/``.

    result = validate(graph)
    if not result.conforms:
        print(result.summary())

Only ``sh:Violation`` results make a graph non-conforming; warnings and infos are listed
(prefixed ``[Warning]`` / ``[Info]``) but do not fail it. The shapes are parsed once per
process. Validation runs without inference: the data graph carries its own rdf:type triples.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import SH

from kg.vocab import PREFIXES

SUMMARY_LINES = 3


@dataclass
class Validation:
    conforms: bool
    violations: list[str] = field(default_factory=list)  # one readable line per result

    def summary(self) -> str:
        if not self.violations:
            return "conforms"
        failing = sum(1 for line in self.violations if not line.startswith("["))
        other = len(self.violations) - failing
        head = f"{failing} violation{'' if failing == 1 else 's'}"
        if other:
            head += f" and {other} warning{'' if other == 1 else 's'}"
        shown = "; ".join(self.violations[:SUMMARY_LINES])
        more = len(self.violations) - SUMMARY_LINES
        return f"{head}: {shown}" + (f" (and {more} more)" if more > 0 else "")


def project_home() -> Path:
    """The project folder: $POLICY_KG_HOME if set, else the parent of this package."""
    home = os.environ.get("POLICY_KG_HOME")
    return Path(home).resolve() if home else Path(__file__).resolve().parent.parent


def load_shapes(paths: list[Path] | None = None) -> rdflib.Graph:
    """The shapes graph (cached per set of files). Default: every *.ttl under <project>/shapes.

    The graph is shared between callers: do not modify it.
    """
    if paths is None:
        paths = sorted((project_home() / "shapes").rglob("*.ttl"))
    return _parse(tuple(Path(p).resolve() for p in paths))


@functools.lru_cache(maxsize=8)
def _parse(paths: tuple[Path, ...]) -> rdflib.Graph:
    if not paths:
        raise FileNotFoundError("no SHACL shapes files found")
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def validate(graph: rdflib.Graph, shapes: rdflib.Graph | None = None) -> Validation:
    """Validate ``graph`` (one report's graph) against ``shapes`` (default: load_shapes())."""
    if shapes is None:
        shapes = load_shapes()
    _, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True,
    )
    lines: list[tuple[bool, str]] = []  # (is it a mere warning/info, line): violations first
    conforms = True
    # Top-level results only: the nested sh:detail results of sh:node are restated by their parent.
    for result in (r for rep in report.subjects(RDF.type, SH.ValidationReport)
                   for r in report.objects(rep, SH.result)):
        severity = report.value(result, SH.resultSeverity)
        if severity == SH.Violation:
            conforms = False
        lines.append((severity != SH.Violation, _line(graph, report, result, severity)))
    return Validation(conforms, [line for _, line in sorted(lines)])


def _line(data: rdflib.Graph, report: rdflib.Graph, result, severity) -> str:
    focus = _describe(data, report.value(result, SH.focusNode))
    path = report.value(result, SH.resultPath)
    messages = list(report.objects(result, SH.resultMessage))
    english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
    message = str((english or messages or ["(no message)"])[0])
    prefix = "" if severity == SH.Violation else f"[{_short(severity)}] "
    where = f" — {_short(path)}" if isinstance(path, URIRef) else (" — (complex path)" if path else "")
    return f"{prefix}{focus}{where}: {message}"


def _describe(data: rdflib.Graph, node) -> str:
    """A node as a person would name it: its rdfs:label (preferring @zh), else its short IRI."""
    labels = sorted(data.objects(node, RDFS.label),
                    key=lambda label: (getattr(label, "language", None) != "zh", str(label)))
    return f"{labels[0]} <{_short(node)}>" if labels else _short(node)


def _short(term) -> str:
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    if text.startswith(str(SH)):
        return text[len(str(SH)):]
    return text
