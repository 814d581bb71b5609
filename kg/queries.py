"""Named SPARQL queries kept as files in ``queries/``, with their parameters declared inside.

A query file starts with a header of ``#+`` lines (in the manner of grlc)::

    #+ summary: Quantified commitments (targets) each report sets.
    #+ description: One row per target; ``upper`` only for ranges.
    #+ param: year integer optional  The year planned for.
    #+ param: report string optional  The manifest id of one report.

A parameter named ``year`` binds the query variable ``?_year`` if the query has one, else ``?year``. Its value is turned into an
RDF term of the declared type and bound with a VALUES clause: it is never spliced into the
query text. Types: ``string`` (plain literal), ``zh`` (a literal tagged @zh), ``integer``,
``decimal``, ``iri``, and ``code:SCHEME`` for a code of one of the project's SKOS concept
schemes (``code:level``, ``code:admin-level``, ``code:action``, ``code:section-role``, ``code:outcome``): the
value may be the code or its Chinese or English label (``law``, ``法律``, ``Law``), is bound as
the code, and anything else is refused with the valid codes (:class:`ParamValueError`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

PARAM_TYPES = ("string", "zh", "integer", "decimal", "iri")
SCHEMES = ("level", "admin-level", "action", "section-role", "outcome")
_PARAM = re.compile(r"^(\w+)\s+([\w:-]+)(?:\s+(optional|required))?\s*(.*)$")


class QueryError(ValueError):
    """A named query or one of its parameters is not usable."""


class ParamValueError(QueryError):
    """A parameter value that is not one the parameter takes (HTTP 422)."""


@lru_cache(maxsize=None)
def scheme_codes(scheme: str) -> dict[str, str]:
    """The codes of a concept scheme and their synonyms: code, Chinese and English labels
    (case and spaces folded) -> code. Read from ontology/schemes.ttl."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    from kg.graph.vocab import BASE

    graph = Graph().parse(project_dir() / "ontology" / "schemes.ttl", format="turtle")
    prefix = f"{BASE}scheme/{scheme}/"
    out: dict[str, str] = {}
    for concept in set(graph.subjects(SKOS.notation, None)):
        if not str(concept).startswith(prefix):
            continue
        code = str(concept)[len(prefix):]
        for name in [code, *map(str, graph.objects(concept, SKOS.prefLabel)),
                     *map(str, graph.objects(concept, SKOS.altLabel))]:
            out[_fold_code(name)] = code
    return out


@lru_cache(maxsize=None)
def scheme_names(scheme: str) -> list[str]:
    """Every code and label of a concept scheme, as written (for an OpenAPI enum)."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    from kg.graph.vocab import BASE

    graph = Graph().parse(project_dir() / "ontology" / "schemes.ttl", format="turtle")
    prefix = f"{BASE}scheme/{scheme}/"
    names: set[str] = set()
    for concept in set(graph.subjects(SKOS.notation, None)):
        if str(concept).startswith(prefix):
            names.add(str(concept)[len(prefix):])
            names.update(str(label) for label in graph.objects(concept, SKOS.prefLabel))
    return sorted(names)


def _fold_code(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().casefold())


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    required: bool = False
    description: str = ""

    def term(self, raw: str) -> Node:
        """The RDF term for a raw parameter value, or QueryError naming the parameter."""
        if self.type.startswith("code:"):
            codes = scheme_codes(self.type[5:])
            code = codes.get(_fold_code(raw))
            if code is None:
                valid = ", ".join(sorted(set(codes.values())))
                raise ParamValueError(f"parameter {self.name}: {raw!r} is not a code of the "
                                      f"{self.type[5:]} scheme (valid: {valid}; their Chinese or "
                                      "English labels are taken too)")
            return Literal(code)
        try:
            if self.type == "integer":
                return Literal(int(raw), datatype=XSD.integer)
            if self.type == "decimal":
                return Literal(Decimal(raw), datatype=XSD.decimal)
        except (ValueError, InvalidOperation) as err:
            raise QueryError(f"parameter {self.name}: {raw!r} is not a {self.type}") from err
        if self.type == "iri":
            if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*", raw):
                raise QueryError(f"parameter {self.name}: {raw!r} is not an IRI")
            return URIRef(raw)
        if self.type == "zh":
            return Literal(raw, lang="zh")
        return Literal(raw)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    summary: str = ""
    description: str = ""
    params: tuple[Param, ...] = field(default_factory=tuple)

    def bindings(self, values: dict[str, str]) -> dict[str, Node]:
        """Check the given parameter values and turn them into RDF terms."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(f"query {self.name} has no parameter {', '.join(unknown)} "
                             f"(it takes: {', '.join(known) or 'none'})")
        missing = [p.name for p in self.params if p.required and p.name not in values]
        if missing:
            raise QueryError(f"query {self.name} needs the parameter {', '.join(missing)}")
        return {self.variable(name): known[name].term(raw) for name, raw in values.items()}

    def variable(self, name: str) -> str:
        """The query variable a parameter binds: ``?_name`` when the query uses it, else ``?name``.

        ``?_name`` lets a query filter on an optional or computed variable
        (``FILTER (!BOUND(?_level) || ?level = ?_level)``).
        """
        return f"_{name}" if re.search(rf"\?_{re.escape(name)}\b", self.text) else name


def project_dir() -> Path:
    return Path(os.environ.get("POLICY_KG_HOME") or Path(__file__).resolve().parent.parent)


def queries_dir() -> Path:
    return Path(os.environ.get("POLICY_KG_QUERIES") or project_dir() / "queries")


def parse_query(name: str, text: str) -> NamedQuery:
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        key, _, value = line[2:].strip().partition(":")
        key, value = key.strip(), value.strip()
        if key == "param":
            match = _PARAM.match(value)
            if not match or (match.group(2) not in PARAM_TYPES
                             and match.group(2) not in {f"code:{scheme}" for scheme in SCHEMES}):
                raise QueryError(f"{name}.rq: cannot read the parameter line {line!r} "
                                 f"(want: #+ param: NAME TYPE [optional|required] description)")
            pname, ptype, req, desc = match.groups()
            params.append(Param(pname, ptype, req == "required", desc.strip()))
        else:
            meta[key] = (meta.get(key, "") + " " + value).strip()
    return NamedQuery(name, text, meta.get("summary", ""), meta.get("description", ""), tuple(params))


@lru_cache(maxsize=None)
def _load(path: Path, mtime: float) -> NamedQuery:
    return parse_query(path.stem, path.read_text(encoding="utf-8"))


def named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    folder = folder or queries_dir()
    return {p.stem: _load(p, p.stat().st_mtime) for p in sorted(folder.glob("*.rq"))}


def get_query(name: str, folder: Path | None = None) -> NamedQuery:
    queries = named_queries(folder)
    if name not in queries:
        raise QueryError(f"no named query {name!r} (known: {', '.join(queries) or 'none'})")
    return queries[name]
