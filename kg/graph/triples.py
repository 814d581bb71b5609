"""A report graph as N-Triples terms, built without an rdflib Graph (the batch ingest's form).

:class:`ReportTriples` is what :func:`kg.graph.rdf.build_triples` fills: a set of triples whose
terms are already written as N-Triples (``<iri>``, ``"text"@zh``, ``"5"^^<…#integer>``), so
the store gets its N-Triples text by joining lines and the compiled validator
(:mod:`kg.graph.shacl_compiled`) reads the terms as they are. The terms are written exactly as
rdflib's N-Triples serializer writes them: the same report gives the same set of lines
whichever way it was built (``tests/test_rdf_path.py``).

rdflib terms may be added too (a URIRef, a Literal, a BNode): they are written the same way.
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain
from typing import Iterable, Iterator

from rdflib import BNode, Graph, Literal, URIRef

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD_NS + "string"
_BAD_IRI = re.compile(r'[<>" {}|\\^`]')


class Remembered:
    """A namespace whose terms are each made once: ``RDF.type`` or ``ADMIN["provincial"]`` on
    an rdflib namespace makes (and checks) a new URIRef at every look-up, about a microsecond,
    for each of a report's thousands of triples. The first look-up goes to the namespace
    (which still refuses a term a closed namespace does not define)."""

    def __init__(self, namespace) -> None:
        self._namespace = namespace
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._namespace, name)
        setattr(self, name, value)  # an instance attribute now: found without __getattr__
        return value

    def __getitem__(self, name: str) -> URIRef:
        value = self._items.get(name)
        if value is None:
            value = self._items[name] = self._namespace[name]
        return value

    def __str__(self) -> str:
        return str(self._namespace)


def quote(text: str) -> str:
    """A string as an N-Triples literal body, escaped as rdflib's N-Triples serializer does."""
    return '"%s"' % text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")


def iri(value: str) -> str:
    """``<value>``; a value rdflib would refuse to write as an IRI raises ValueError."""
    if _BAD_IRI.search(value):
        raise ValueError(f'"{value}" does not look like a valid URI, it cannot be written as N-Triples')
    return f"<{value}>"


def text(value: str) -> str:
    """A plain string literal (xsd:string)."""
    return quote(value)


def tagged(value: str, lang: str) -> str:
    return f"{quote(value)}@{lang}"


@lru_cache(maxsize=65536)
def integer(value: int) -> str:
    """An xsd:integer literal (offsets and years repeat across facts and reports)."""
    return f'"{int(value)}"^^<{XSD_NS}integer>'


def term(node) -> str:
    """Any rdflib term (or an already written term, a plain ``str``) as N-Triples."""
    if type(node) is str:
        return node
    if isinstance(node, URIRef):
        return iri(node)
    if isinstance(node, Literal):
        if node.language:
            return tagged(str(node), node.language)
        if node.datatype is not None:
            return f"{quote(str(node))}^^<{node.datatype}>"
        return quote(str(node))
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")


class ReportTriples:
    """One report's triples, their terms written as N-Triples, without duplicates, indexed as
    they are added: ``index`` maps subject → predicate → objects (dicts in the order first
    added). That is rdflib's own order (its memory store keeps subject → predicate → object),
    so the text is the same whatever the hash seed and a subject's first type is written
    first, as rdflib's build writes it; and
    the compiled validator (:mod:`kg.graph.shacl_compiled`) reads the index as it is, without
    indexing the triples again."""

    __slots__ = ("index", "_subject", "_written")

    def __init__(self, triples: Iterable[tuple[str, str, str]] = ()) -> None:
        self.index: dict[str, dict[str, dict[str, None]]] = {}
        self._subject: tuple = (None, None)  # the last subject added (as given, its predicates)
        self._written: dict = {}  # rdflib IRIs (predicates, objects) of this report → written, checked
        for s, p, o in triples:
            self.add_terms(s, p, o)

    def add_terms(self, s: str, p: str, o: str) -> None:
        """Add a triple of terms already written as N-Triples (strings)."""
        d = self.index.get(s)
        if d is None:
            self.index[s] = {p: {o: None}}
            return
        objects = d.get(p)
        if objects is None:
            d[p] = {o: None}
        else:
            objects[o] = None

    def add(self, triple) -> None:
        """Add (s, p, o): rdflib URIRefs, written terms (str) or other rdflib terms. Subject IRIs
        are the project's own (kg.graph.vocab mints them from safe characters) and are written as they
        are; predicate and object IRIs are checked as rdflib checks them (a report's source URL
        comes from outside), once per report. Runs for every triple: a subject added again right
        away (the same object) is found without writing or looking it up."""
        s, p, o = triple
        last, d = self._subject
        if s is not last:
            key = f"<{s}>" if type(s) is URIRef else term(s)
            d = self.index.get(key)
            if d is None:
                d = self.index[key] = {}
            self._subject = (s, d)
        if type(p) is not str:
            written = self._written.get(p)
            if written is None:
                written = self._written[p] = term(p)
            p = written
        if type(o) is not str:
            if type(o) is URIRef:
                written = self._written.get(o)
                if written is None:
                    written = self._written[o] = iri(o)
                o = written
            else:
                o = term(o)
        objects = d.get(p)
        if objects is None:
            d[p] = {o: None}
        else:
            objects[o] = None

    @property
    def triples(self) -> dict[tuple[str, str, str], None]:
        """The triples as (s, p, o) tuples of terms, keys of a dict in the order of :meth:`__iter__`."""
        return dict.fromkeys(self)

    def __len__(self) -> int:
        return sum(map(len, chain.from_iterable(map(dict.values, self.index.values()))))

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        for s, d in self.index.items():
            for p, objects in d.items():
                for o in objects:
                    yield s, p, o

    def ntriples(self) -> bytes:
        """The triples as N-Triples text (UTF-8), one line each, in the order of the index."""
        lines = [f"{s} {p} {o} .\n" for s, d in self.index.items() for p, objects in d.items() for o in objects]
        return "".join(lines).encode("utf-8")

    def graph(self) -> Graph:
        """The same triples as an rdflib Graph (for people's formats and for pyshacl)."""
        graph = Graph(bind_namespaces="none")
        graph.parse(data=self.ntriples(), format="nt")
        return graph

    @classmethod
    def from_graph(cls, graph: Graph) -> "ReportTriples":
        out = cls()
        for triple in graph:
            out.add(triple)
        return out
