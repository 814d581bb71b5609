"""The validation stage: check a report's graph against the SHACL shapes in ``shapes/``.

    result = validate(graph)
    if not result.conforms:
        print(result.summary())

Only ``sh:Violation`` results make a graph non-conforming; warnings and infos are listed
(prefixed ``[Warning]`` / ``[Info]``) but do not fail it. The shapes are parsed once per
process. Validation runs without inference: the data graph carries its own rdf:type triples.

The engines give the same verdicts and the same lines (``tests/test_validate_engines.py``):

``pyshacl``   the reference implementation (pure Python; about 0.2 s for 1,000 triples)
``turbo``     pyshacl-turbo, a pySHACL-compatible engine in Rust: the shapes are compiled once
              per process and reused for every report (10-40x faster here, see BENCHMARKS.md)
``compiled``  the shapes compiled to Python checks over N-Triples terms (:mod:`kg.graph.shacl_compiled`,
              no rdflib graph; about 5x faster than turbo on real reports). It decides whether a
              graph conforms; the lines of a graph that does not are written by turbo (else
              pyshacl), which also has the last word on the verdict then.
``auto``      compiled, else (shapes or data it does not compile) turbo when it is installed,
              else pyshacl (the default)

Choose with ``validate(graph, engine=...)`` or the environment variable
``POLICY_KG_SHACL_ENGINE``. In ``auto`` mode a graph the fast engines cannot process (an
internal error, not a violation) is validated again with pyshacl. ``validate_triples`` takes
a report built as N-Triples terms (:func:`kg.graph.rdf.build_triples`), the batch ingest's form.
"""
from __future__ import annotations

import functools
import os
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import SH

from kg.graph.shacl_compiled import Unsupported, Validator, compile_shapes
from kg.graph.triples import ReportTriples
from kg.graph.vocab import PREFIXES

SUMMARY_LINES = 3
ENGINES = ("auto", "compiled", "pyshacl", "turbo")
ENGINE_ENV = "POLICY_KG_SHACL_ENGINE"


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
    return Path(home).resolve() if home else Path(__file__).resolve().parents[2]


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


def validate_triples(triples: ReportTriples, shapes: rdflib.Graph | None = None,
                     engine: str | None = None) -> Validation:
    """Validate one report's triples (:class:`kg.graph.triples.ReportTriples`) as :func:`validate`
    does its rdflib graph; with the compiled engine no rdflib graph is made unless the
    triples do not conform (for the lines)."""
    if shapes is None:
        shapes = load_shapes()
    chosen = resolve_engine(engine)
    if chosen == "compiled":
        if _compiled_verdict(triples, shapes, engine) is True:
            return Validation(True, [])
        chosen = _line_engine(engine)
    return _validate(triples.graph(), shapes, chosen, _requested(engine), triples.ntriples())


def validate(graph: rdflib.Graph, shapes: rdflib.Graph | None = None, engine: str | None = None, *,
             ntriples: str | bytes | None = None) -> Validation:
    """Validate ``graph`` (one report's graph) against ``shapes`` (default: load_shapes()).

    ``engine`` is ``auto``, ``compiled``, ``pyshacl`` or ``turbo`` (default:
    $POLICY_KG_SHACL_ENGINE, else auto). ``ntriples``, the graph already serialised as
    N-Triples, spares the fast engine converting the rdflib graph (it must hold the same
    triples as ``graph``).
    """
    if shapes is None:
        shapes = load_shapes()
    chosen = resolve_engine(engine)
    if chosen == "compiled":
        if _compiled_verdict(ReportTriples.from_graph(graph), shapes, engine) is True:
            return Validation(True, [])
        chosen = _line_engine(engine)
    return _validate(graph, shapes, chosen, _requested(engine), ntriples)


def _validate(graph: rdflib.Graph, shapes: rdflib.Graph, chosen: str, requested: str,
              ntriples: str | bytes | None) -> Validation:
    """``graph`` validated by ``chosen`` (turbo or pyshacl); turbo failing to run hands over
    to pyshacl unless turbo was ``requested`` by name."""
    if chosen == "turbo":
        try:
            data = graph
            if ntriples is not None:
                import pyshacl_turbo

                text = ntriples.decode("utf-8") if isinstance(ntriples, bytes) else ntriples
                if _clean_fast(_compiled(shapes), text):
                    return Validation(True, [])
                data = pyshacl_turbo.Input(text, "nt", None, {}, {})
            _, report, _ = _compiled(shapes).validate(data, allow_warnings=True)
        except Exception:  # noqa: BLE001 - the fast engine failed to run: the reference decides
            if requested == "turbo":
                raise
            report = _pyshacl_report(graph, shapes)
    else:
        report = _pyshacl_report(graph, shapes)
    return _validation(graph, report)


def _requested(engine: str | None) -> str:
    name = (engine or os.environ.get(ENGINE_ENV) or "auto").strip().lower()
    if name not in ENGINES:
        raise ValueError(f"unknown SHACL engine {name!r}: expected one of {', '.join(ENGINES)}")
    return name


def resolve_engine(engine: str | None = None) -> str:
    """The engine that will run first: ``compiled``, ``pyshacl`` or ``turbo`` (``auto`` is
    ``compiled``, which hands over to turbo or pyshacl when it cannot decide)."""
    name = _requested(engine)
    if name == "auto":
        return "compiled"
    if name == "turbo" and not turbo_available():
        raise ImportError("SHACL engine 'turbo' needs the package pyshacl-turbo (pip install pyshacl-turbo)")
    return name


@functools.lru_cache(maxsize=1)
def turbo_available() -> bool:
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return False
    return True


def _pyshacl_report(graph: rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    if not graph.store.context_aware:  # pyshacl wraps the data in a Dataset: it needs contexts
        copy = rdflib.Graph(bind_namespaces="none")
        copy += graph
        graph = copy
    _, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True,
    )
    return report


_COMPILED: dict[int, tuple[weakref.ref, object]] = {}
_COMPILED_LOCK = threading.Lock()


def _compiled(shapes: rdflib.Graph):
    """pyshacl-turbo's compiled form of ``shapes``, made once per shapes graph object (which,
    like load_shapes()'s, must not be modified afterwards)."""
    key = id(shapes)
    entry = _COMPILED.get(key)
    if entry is not None and entry[0]() is shapes:
        return entry[1]
    import pyshacl_turbo

    with _COMPILED_LOCK:
        compiled = pyshacl_turbo.CompiledShapes(shapes)
        for stale in [k for k, (ref, _) in _COMPILED.items() if ref() is None]:
            del _COMPILED[stale]
        _COMPILED[key] = (weakref.ref(shapes), compiled)
        return compiled


_VALIDATORS: dict[int, tuple[weakref.ref, object]] = {}


def compiled_validator(shapes: rdflib.Graph) -> Validator | None:
    """The shapes compiled by :mod:`kg.graph.shacl_compiled` (once per shapes graph object), or None
    when they use SHACL it does not compile."""
    key = id(shapes)
    entry = _VALIDATORS.get(key)
    if entry is not None and entry[0]() is shapes:
        return entry[1]
    with _COMPILED_LOCK:
        try:
            validator = compile_shapes(shapes)
        except Unsupported:
            validator = None
        for stale in [k for k, (ref, _) in _VALIDATORS.items() if ref() is None]:
            del _VALIDATORS[stale]
        _VALIDATORS[key] = (weakref.ref(shapes), validator)
        return validator


def _compiled_verdict(triples: ReportTriples, shapes: rdflib.Graph, engine: str | None) -> bool | None:
    """True: the triples conform (no result at all); False: they do not; None: the compiled
    validator cannot tell (the shapes or the data need SHACL it does not compile). With the
    engine ``compiled`` asked for by name, None is an error instead."""
    validator = compiled_validator(shapes)
    try:
        if validator is None:
            raise Unsupported("the shapes use SHACL that kg.graph.shacl_compiled does not compile")
        return not validator.results(triples)
    except Exception:  # noqa: BLE001 - Unsupported, or a surprise: the reference decides
        if _requested(engine) == "compiled":
            raise
        return None


def _line_engine(engine: str | None) -> str:
    """The engine that writes the lines (and has the last word) once the compiled validator
    found violations or could not decide: turbo when installed, else pyshacl."""
    return "turbo" if _requested(engine) != "pyshacl" and turbo_available() else "pyshacl"


_FAST = {"on": True}


def _clean_fast(compiled, ntriples: str) -> bool:
    """True when the graph conforms with no result at all (no warning either), asked of
    pyshacl-turbo's native validator without building an rdflib report graph (the common
    case of batch ingest). False means: ask again the ordinary way. Any surprise from the
    native call (a changed signature in a new release) turns this shortcut off for good."""
    if not _FAST["on"]:
        return False
    try:
        conforms, report, *_ = compiled._native.validate(
            ntriples, "nt", None, False, 100, 15, False, False, True, False, [], [], [])
        return conforms is True and isinstance(report, str) and "http://www.w3.org/ns/shacl#result>" not in report
    except Exception:  # noqa: BLE001 - private API: fall back to the public one
        _FAST["on"] = False
        return False


def _validation(graph: rdflib.Graph, report: rdflib.Graph) -> Validation:
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
