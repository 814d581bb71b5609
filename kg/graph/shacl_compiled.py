"""The SHACL shapes compiled to Python checks over N-Triples terms (the batch ingest's validator).

    validator = compile_shapes(load_shapes())      # once per process
    results = validator.results(report_triples)   # {(focus, path, component), ...}; empty: conforms

:func:`compile_shapes` reads the shapes graph (``shapes/*.ttl``) and turns every constraint
into a small function; nothing of the shapes is copied by hand, so a change of the shapes
file changes the checks. It compiles the part of SHACL Core the project uses (class targets,
predicate paths, cardinality, value type, value range, string language, property pair,
logical and shape-based constraints, ``sh:in`` and ``sh:hasValue``) and refuses anything
else with :class:`Unsupported`: the caller then uses pyshacl(-turbo) as before.

The data are triples of N-Triples terms (:class:`kg.graph.triples.ReportTriples`, or
:func:`kg.graph.triples.term` of each rdflib term). The checks follow pyshacl, the reference:
literal values, ill-typed literals and comparisons are rdflib's (a lexical form outside the
plain forms below is handed to rdflib), and ``tests/test_validate_engines.py`` compares the
results with pyshacl's on every report of the seeds, the development set and the examples
and on mutated graphs that break every shape. Results are (focus node, result path or None,
constraint component) as N-Triples terms / IRIs, one per distinct triple of these.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal
from functools import lru_cache
from typing import Callable, Iterable

import rdflib
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import SH, XSD

from kg.gcpause import paused_gc
from kg.graph.triples import ReportTriples, term

RDF_TYPE = "<%s>" % RDF.type
SUBCLASS_OF = "<%s>" % RDFS.subClassOf
LANG_STRING = str(RDF.langString)

# What a shape may say besides its constraints (descriptive, no effect on validation).
DESCRIPTIVE = {RDF.type, SH.name, SH.description, SH.message, SH.order, SH.group, RDFS.label, RDFS.comment,
               SH.targetClass, SH.property, SH.path}
NODE_KINDS = {SH.IRI: "I", SH.BlankNode: "B", SH.Literal: "L", SH.BlankNodeOrIRI: "BI",
              SH.BlankNodeOrLiteral: "BL", SH.IRIOrLiteral: "IL"}
_INTEGER = re.compile(r"-?[0-9]{1,18}\Z")
_DECIMAL = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?\Z")
XSD_INTEGER, XSD_DECIMAL, XSD_STRING = str(XSD.integer), str(XSD.decimal), str(XSD.string)
INTEGER_SUFFIX, DECIMAL_SUFFIX = f'"^^<{XSD_INTEGER}>', f'"^^<{XSD_DECIMAL}>'


class Unsupported(Exception):
    """The shapes (or the data) use SHACL this compiler does not handle: use pyshacl."""


# --- terms -------------------------------------------------------------------------------------

def kind(node: str) -> str:
    """'I' (IRI), 'B' (blank node) or 'L' (literal) of an N-Triples term."""
    first = node[0]
    return "I" if first == "<" else "L" if first == '"' else "B"


def split_literal(node: str) -> tuple[str, str | None, str | None]:
    """(lexical form as written, datatype IRI or None, language or None) of a literal term."""
    end = node.rfind('"')
    rest = node[end + 1:]
    if rest.startswith("@"):
        return node[1:end], None, rest[1:]
    if rest.startswith("^^<"):
        return node[1:end], rest[3:-1], None
    return node[1:end], None, None


@lru_cache(maxsize=16384)
def rdflib_literal(node: str) -> Literal:
    """The literal as rdflib reads it (for its value, ill-typedness and ordering); a Literal is
    immutable, so one parse serves every report (dates of laws repeat across them)."""
    return rdflib.Graph().parse(data=f"<x:s> <x:p> {node} .", format="nt").value(URIRef("x:s"), URIRef("x:p"))


class Values:
    """Literal values of one validation run, as rdflib would give them, memoised."""

    def __init__(self) -> None:
        self._rdflib: dict[str, Literal] = {}
        self._fast: dict[str, object] = {}

    def fast_memo(self, node: str):
        """:meth:`fast`, once per literal of the run (years and offsets repeat)."""
        try:
            return self._fast[node]
        except KeyError:
            value = self._fast[node] = self.fast(node)
            return value

    def rdflib(self, node: str) -> Literal:
        lit = self._rdflib.get(node)
        if lit is None:
            lit = self._rdflib[node] = rdflib_literal(node)
        return lit

    @staticmethod
    def fast(node: str):
        """A plain int/Decimal value when the literal is a plain xsd:integer/xsd:decimal form,
        else None (ask rdflib)."""
        if node.endswith(INTEGER_SUFFIX):
            end = len(node) - len(INTEGER_SUFFIX)
            return int(node[1:end]) if _INTEGER.match(node, 1, end) else None
        if node.endswith(DECIMAL_SUFFIX):
            end = len(node) - len(DECIMAL_SUFFIX)
            return Decimal(node[1:end]) if _DECIMAL.match(node, 1, end) else None
        return None




# --- the data --------------------------------------------------------------------------------

class Data:
    """Triples indexed by subject and predicate (subject → predicate → objects, as
    :class:`kg.graph.triples.ReportTriples` keeps them), with the instances of each class."""

    def __init__(self, triples) -> None:
        index = (triples if isinstance(triples, ReportTriples) else ReportTriples(triples)).index
        instances: dict[str, list[str]] = {}
        for s, d in index.items():
            types = d.get(RDF_TYPE)
            if types is not None:
                for cls in types:
                    found = instances.get(cls)
                    if found is None:
                        instances[cls] = [s]
                    else:
                        found.append(s)
            if SUBCLASS_OF in d:
                raise Unsupported("the data graph holds rdfs:subClassOf (class targets need inference)")
        self.props = index
        self.instances = instances
        self.values = Values()
        self.conforming: dict[tuple[Shape, str], bool] = {}  # Shape.conforms, memoised

    def objects(self, node: str, predicate: str):
        d = self.props.get(node)
        return d.get(predicate, EMPTY) if d is not None else EMPTY

    def has_type(self, node: str, cls: str) -> bool:
        d = self.props.get(node)
        return d is not None and cls in d.get(RDF_TYPE, ())


# --- the compiled shapes -------------------------------------------------------------------------

# A check: (focus, value nodes, data) -> True when they satisfy the constraint.
Check = Callable[[str, list, Data], bool]


def every(ok: Callable[[str, Data], bool]) -> Check:
    """The check that each value node satisfies ``ok(value, data)`` (a plain loop: this runs
    for every property of every node)."""
    def check(f, vs, d) -> bool:
        for v in vs:
            if not ok(v, d):
                return False
        return True
    return check


class Shape:
    """One node or property shape: its path (None for a node shape), its cardinality (read
    inline: the commonest constraints), its other compiled constraints as (constraint
    component IRI, check), and its property shapes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.path: str | None = None
        self.min_count = 0
        self.max_count: float = float("inf")
        self.checks: list[tuple[str, Check]] = []
        self.properties: list[Shape] = []
        self.parts: list[Shape] = [self]  # itself, then its property shapes: what evaluate runs

    def evaluate(self, focus: str, data: Data, out: set | None) -> bool:
        """Whether ``focus`` conforms; adds (focus, path, component) to ``out`` for each
        failed constraint (``out`` None: stop at the first)."""
        d = data.props.get(focus)
        ok = True
        for shape in self.parts:  # the shape, then its property shapes inline
            path = shape.path
            if path is None:
                values = [focus]
            else:
                values = d.get(path, EMPTY) if d is not None else EMPTY
                n = len(values)
                if n < shape.min_count:
                    if out is None:
                        return False
                    out.add((focus, path, MIN_COUNT))
                    ok = False
                if n > shape.max_count:
                    if out is None:
                        return False
                    out.add((focus, path, MAX_COUNT))
                    ok = False
            for component, check in shape.checks:
                if not check(focus, values, data):
                    if out is None:
                        return False
                    out.add((focus, path, component))
                    ok = False
        return ok

    def components(self) -> set[str]:
        """The constraint components this shape checks itself (cardinality included)."""
        return ({component for component, _ in self.checks} | ({MIN_COUNT} if self.min_count else set())
                | ({MAX_COUNT} if self.max_count != float("inf") else set()))

    def conforms(self, focus: str, data: Data) -> bool:
        """:meth:`evaluate` without results, once per focus node and run: a shape used by
        ``sh:node`` or ``sh:or`` (the reporting body of every fact) is checked once."""
        key = (self, focus)
        verdict = data.conforming.get(key)
        if verdict is None:
            verdict = data.conforming[key] = self.evaluate(focus, data, None)
        return verdict


EMPTY: list = []
MIN_COUNT, MAX_COUNT = str(SH.MinCountConstraintComponent), str(SH.MaxCountConstraintComponent)


class Validator:
    """The compiled shapes: for each target class, the node shapes that target it."""

    def __init__(self, targets: list[tuple[str, Shape]]) -> None:
        self.targets = targets

    def results(self, triples: ReportTriples | Iterable[tuple[str, str, str]]) -> set[tuple[str, str | None, str]]:
        """The validation results of one graph (empty: it conforms): a :class:`ReportTriples`
        (read through its index) or any (s, p, o) terms. Raises Unsupported when the data need
        what was not compiled (rdfs:subClassOf in the data)."""
        with paused_gc():  # kg.gcpause: the run's memos and indexes hold no cycles
            data = Data(triples)
            out: set = set()
            for cls, shape in self.targets:
                for focus in data.instances.get(cls, ()):
                    shape.evaluate(focus, data, out)
        return out

    def conforms(self, triples: Iterable[tuple[str, str, str]]) -> bool:
        return not self.results(triples)


def compile_shapes(shapes: rdflib.Graph) -> Validator:
    """Compile every shape with a class target (and the shapes they use) or raise Unsupported."""
    compiler = _Compiler(shapes)
    targets = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        for other in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            if (shape, other, None) in shapes:
                raise Unsupported(f"{shape}: {other} targets are not compiled")
        compiled = compiler.shape(shape)
        for cls in shapes.objects(shape, SH.targetClass):
            targets.append((term(cls), compiled))
    for shape in set(shapes.subjects(RDF.type, RDFS.Class)) & set(shapes.subjects(RDF.type, SH.NodeShape)):
        raise Unsupported(f"{shape}: implicit class targets are not compiled")
    return Validator(targets)


class _Compiler:
    def __init__(self, shapes: rdflib.Graph) -> None:
        self.g = shapes
        self.done: dict = {}

    def shape(self, node) -> Shape:
        if node in self.done:
            return self.done[node]
        shape = self.done[node] = Shape(str(node))
        g = self.g
        path = g.value(node, SH.path)
        if path is not None:
            if not isinstance(path, URIRef):
                raise Unsupported(f"{node}: only predicate paths are compiled")
            shape.path = term(path)
        severity = g.value(node, SH.severity)
        if severity is not None and severity != SH.Violation:
            raise Unsupported(f"{node}: severity {severity} is not compiled")
        for predicate, value in g.predicate_objects(node):
            if predicate in DESCRIPTIVE or predicate == SH.severity:
                continue
            if predicate in (SH.minCount, SH.maxCount):
                if path is None or not isinstance(value, Literal) or not isinstance(value.value, int):
                    raise Unsupported(f"{node}: {predicate} {value!r} is not compiled")
                if predicate == SH.minCount:
                    shape.min_count = max(shape.min_count, value.value)
                else:
                    shape.max_count = min(shape.max_count, value.value)
                continue
            make = getattr(self, "c_" + predicate.split("#")[-1], None) if predicate.startswith(str(SH)) else None
            if make is None:
                raise Unsupported(f"{node}: {predicate} is not compiled")
            component, check = make(node, value)
            shape.checks.append((str(SH) + component, check))
        for prop in g.objects(node, SH.property):
            if path is not None:
                raise Unsupported(f"{node}: a property shape of a property shape is not compiled")
            shape.properties.append(self.shape(prop))
        shape.parts = [shape, *shape.properties]
        return shape

    def items(self, node) -> list:
        return list(self.g.items(node))

    # One method per constraint parameter: (constraint component local name, check).

    # sh:minCount and sh:maxCount are read by shape() into Shape.min_count / max_count.

    def c_class(self, node, value):
        cls = term(value)

        def check(f, vs, d):
            for v in vs:
                dv = d.props.get(v)
                if dv is None or cls not in dv.get(RDF_TYPE, ()):
                    return False
            return True
        return "ClassConstraintComponent", check

    def c_nodeKind(self, node, value):
        kinds = NODE_KINDS.get(value)
        if kinds is None:
            raise Unsupported(f"{node}: node kind {value}")
        return "NodeKindConstraintComponent", every(lambda v, d: kind(v) in kinds)

    def c_datatype(self, node, value):
        datatype = str(value)
        if datatype in (str(RDFS.Literal), str(RDFS.Datatype)):
            raise Unsupported(f"{node}: datatype {datatype}")

        suffix = f'"^^<{datatype}>'
        plain = datatype in (XSD_INTEGER, XSD_DECIMAL)  # a plain form is read once, for ranges too

        def ok(v: str, d: Data) -> bool:
            if v[0] != '"':
                return False
            if v[-1] == '"':  # a plain literal: xsd:string
                return datatype == XSD_STRING
            if v.endswith(suffix):
                if datatype == XSD_STRING or plain and d.values.fast_memo(v) is not None:
                    return True
                lit = d.values.rdflib(v)
                return lit.ill_typed is not True and _actual(lit.value, datatype)
            lexical, dt, lang = split_literal(v)
            return lang is not None and datatype == LANG_STRING
        return "DatatypeConstraintComponent", every(ok)

    def c_languageIn(self, node, value):
        wanted = {str(lang).lower() for lang in self.items(value)}

        quick = tuple(f'"@{lang}' for lang in wanted)

        def ok(v: str, d: Data) -> bool:
            if v.endswith(quick) and v[0] == '"':
                return True
            if v[0] != '"':
                return False
            lang = split_literal(v)[2]
            if not lang:
                return False
            return "*" in wanted or lang.lower() in wanted or lang.split("-")[0].lower() in wanted
        return "LanguageInConstraintComponent", every(ok)

    def c_uniqueLang(self, node, value):
        if not (isinstance(value, Literal) and value.value is True):
            return "UniqueLangConstraintComponent", lambda f, vs, d: True  # false: no constraint

        def ok(vs) -> bool:  # no two values share a language tag (case folded, as pyshacl does)
            seen: set[str] = set()
            for v in vs:
                if v[0] == '"':
                    lang = split_literal(v)[2]
                    if lang:
                        if lang.lower() in seen:
                            return False
                        seen.add(lang.lower())
            return True
        return "UniqueLangConstraintComponent", lambda f, vs, d: ok(vs)

    def c_in(self, node, value):
        allowed = {term(item) for item in self.items(value)}
        if any(kind(a) == "L" and split_literal(a)[1] not in (None, XSD_STRING) for a in allowed):
            raise Unsupported(f"{node}: sh:in with typed literals")  # rdflib's equality is by value
        return "InConstraintComponent", lambda f, vs, d: allowed.issuperset(vs)

    def c_hasValue(self, node, value):
        wanted = term(value)
        if kind(wanted) == "L" and split_literal(wanted)[1] not in (None, XSD_STRING):
            raise Unsupported(f"{node}: sh:hasValue with a typed literal")
        return "HasValueConstraintComponent", lambda f, vs, d: wanted in vs

    def _range(self, node, value, name, accept):
        if not isinstance(value, Literal):
            raise Unsupported(f"{node}: {name} of a non-literal")
        bound_node = term(value)
        bound_is_string = isinstance(value.value, str)
        bound_fast = Values().fast(bound_node)

        def ok(v: str, d: Data) -> bool:
            if v[0] != '"':
                return False
            if bound_fast is not None:
                fast = d.values.fast_memo(v)
                if fast is not None:
                    return accept((fast > bound_fast) - (fast < bound_fast))
            lit = d.values.rdflib(v)
            v_is_string = isinstance(lit.value, str)
            if bound_is_string != v_is_string:
                return False
            try:  # as pyshacl's value range constraints
                from pyshacl.rdfutil.compare import compare_literal
                return accept(compare_literal(lit, value))
            except (TypeError, NotImplementedError):
                return False
        return name, every(ok)

    def c_minInclusive(self, node, value):
        return self._range(node, value, "MinInclusiveConstraintComponent", lambda c: c >= 0)

    def c_maxInclusive(self, node, value):
        return self._range(node, value, "MaxInclusiveConstraintComponent", lambda c: c <= 0)

    def c_minExclusive(self, node, value):
        return self._range(node, value, "MinExclusiveConstraintComponent", lambda c: c > 0)

    def c_maxExclusive(self, node, value):
        return self._range(node, value, "MaxExclusiveConstraintComponent", lambda c: c < 0)

    def c_lessThanOrEquals(self, node, value):
        if not isinstance(value, URIRef):
            raise Unsupported(f"{node}: sh:lessThanOrEquals of a complex path")
        other = term(value)

        def check(f, vs, d):
            compare = d.objects(f, other)
            for v in vs:
                for w in compare:
                    if not _less_or_equal(v, w, d):
                        return False
            return True
        return "LessThanOrEqualsConstraintComponent", check

    def c_node(self, node, value):
        shape = self.shape(value)
        return "NodeConstraintComponent", every(shape.conforms)

    def c_or(self, node, value):
        shapes = [self.shape(item) for item in self.items(value)]
        return "OrConstraintComponent", every(lambda v, d: any(s.conforms(v, d) for s in shapes))

    def c_and(self, node, value):
        shapes = [self.shape(item) for item in self.items(value)]
        return "AndConstraintComponent", every(lambda v, d: all(s.conforms(v, d) for s in shapes))

    def c_xone(self, node, value):
        shapes = [self.shape(item) for item in self.items(value)]
        return "XoneConstraintComponent", every(lambda v, d: sum(1 for s in shapes if s.conforms(v, d)) == 1)

    def c_not(self, node, value):
        shape = self.shape(value)
        return "NotConstraintComponent", every(lambda v, d: not shape.conforms(v, d))


# The Python type pyshacl expects of a well-typed literal's value, by datatype.
EXPECTED_TYPES = {XSD_STRING: (str, bytes), LANG_STRING: (str, bytes), XSD_INTEGER: int, str(XSD.float): float,
                  XSD_DECIMAL: Decimal, str(XSD.boolean): bool, str(XSD.date): datetime.date,
                  str(XSD.time): datetime.time, str(XSD.dateTime): datetime.datetime}


def _actual(value, datatype: str) -> bool:
    """pyshacl's check that a well-typed literal's value has the Python type of its datatype."""
    expected = EXPECTED_TYPES.get(datatype)
    return True if expected is None else isinstance(value, expected)


def _less_or_equal(v: str, w: str, d: Data) -> bool:
    """pyshacl's sh:lessThanOrEquals on two value nodes."""
    if v[0] == "_" or w[0] == "_":
        raise Unsupported("sh:lessThanOrEquals on a blank node")
    fv = d.values.fast_memo(v) if v[0] == '"' else None
    fw = d.values.fast_memo(w) if w[0] == '"' else None
    if fv is not None and fw is not None:
        return fv <= fw
    (a_is_string, a), (b_is_string, b) = _comparable(v, d), _comparable(w, d)
    if a_is_string != b_is_string:
        return False
    try:
        return bool(a <= b)
    except TypeError:  # an ill-typed literal: pyshacl stops there too; leave it to the fallback
        raise Unsupported("sh:lessThanOrEquals on values rdflib cannot order") from None


def _comparable(node: str, d: Data) -> tuple[bool, object]:
    """(is it a string, what pyshacl compares): an IRI or a string literal as a str, another
    literal as rdflib's Literal."""
    if node[0] == "<":
        return True, node[1:-1]
    lit = d.values.rdflib(node)
    return (True, lit.value) if isinstance(lit.value, str) else (False, lit)
