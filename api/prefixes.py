"""Prefixed RDF answers: Turtle with ``@prefix`` lines and compacted JSON-LD with an ``@context``.

The store writes graphs with full IRIs. :func:`with_prefixes` rewrites a Turtle or JSON-LD
answer with the project's prefixes (kg.graph.vocab.PREFIXES: ``pkg:``, ``id:``, ``level:``, ``eli:`` …):
Turtle through Oxigraph's serialiser (``prefixes=``), JSON-LD as ``{"@context": {prefix: IRI},
"@graph": [...]}`` with every property, type and node IRI under a prefix written as a compact IRI
(``rdfs:label``, ``id:agency/…``), which a JSON-LD processor expands back to the same triples.
Other formats are left as they are (RDF/XML already declares namespaces, N-Triples has none).
"""
from __future__ import annotations

import json

import pyoxigraph

from kg.store import RawResult
from kg.graph.vocab import PREFIXES

# Longest namespace first, so that a term gets the most specific prefix.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
CONTEXT = {name: iri for name, iri in PREFIXES.items()}


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI under one of the prefixes, else the IRI."""
    for name, ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{name}:{iri[len(ns):]}"
    return iri


def turtle(body: bytes) -> bytes:
    """A Turtle document again, with the @prefix lines and prefixed names."""
    triples = pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES)


def _compact_value(value):
    if isinstance(value, list):
        return [_compact_value(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = key if key.startswith("@") else compact(key)
            if key in ("@id", "@type") and isinstance(item, str):
                out[name] = compact(item)
            elif key == "@type" and isinstance(item, list):
                out[name] = [compact(t) for t in item]
            else:
                out[name] = _compact_value(item)
        return out
    return value


def jsonld(body: bytes) -> bytes:
    """An expanded JSON-LD document (a list of node objects, as Oxigraph writes it) compacted
    under :data:`CONTEXT`."""
    data = json.loads(body)
    nodes = data if isinstance(data, list) else data.get("@graph", [data])
    return json.dumps({"@context": CONTEXT, "@graph": _compact_value(nodes)},
                      ensure_ascii=False).encode("utf-8")


def with_prefixes(result: RawResult) -> RawResult:
    """``result`` with prefixes when it is Turtle or JSON-LD (else unchanged)."""
    try:
        if result.content_type == "text/turtle":
            return RawResult(result.content_type, turtle(result.body), result.truncated)
        if result.content_type == "application/ld+json":
            return RawResult(result.content_type, jsonld(result.body), result.truncated)
    except (SyntaxError, ValueError):
        return result  # not what we expected: send it as the store wrote it
    return result
