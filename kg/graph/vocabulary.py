"""The vocabulary in the store: the ontology and the SKOS schemes (``ontology/*.ttl``) as one
named graph, and their labels by language.

``load_vocabulary(store)`` puts the files into the graph :data:`VOCABULARY_GRAPH`
(``https://w3id.org/policy-kg/graph/vocabulary``), replaced in one transaction, and only when
the files changed: the graph holds the files' content hash (``pkg:contentHash`` of the graph
IRI), so loading again is a no-op. ``kg ingest`` and a writing ``kg serve`` call it; a store
opened read-only keeps what it has, and the API answers for the vocabulary's IRIs from
:func:`vocabulary_graph` (the files, parsed once per change).

The vocabulary graph holds no reports, so the contract queries and the report counts of
``kg stats`` do not see it (``kg.stats`` leaves it out of its graph and triple counts).
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from kg.store import Store
from kg.graph.vocab import BASE, PKG, PREFIXES

VOCABULARY_GRAPH = BASE + "graph/vocabulary"
ONTOLOGY = BASE + "ontology"
LANGUAGES = ("zh", "en")  # the languages the labels are written in; the first is the default


def ontology_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "ontology"


def vocabulary_files(folder: Path | None = None) -> list[Path]:
    """The Turtle files of the vocabulary, in a fixed order."""
    return sorted((folder or ontology_dir()).glob("*.ttl"))


def vocabulary_hash(folder: Path | None = None) -> str:
    """A SHA-256 over the files' names and bytes: changes whenever one of them does (read
    again only when a file's size or modification time changed)."""
    files = vocabulary_files(folder)
    return _hash(tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))


@lru_cache(maxsize=8)
def _hash(files: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in files:
        path = Path(name)
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def vocabulary_graph(folder: Path | None = None) -> Graph:
    """The vocabulary as one rdflib Graph, with its content hash; parsed again only when the
    files change."""
    return _parsed(str(folder or ontology_dir()), vocabulary_hash(folder))


@lru_cache(maxsize=2)
def _parsed(folder: str, content_hash: str) -> Graph:
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    for path in vocabulary_files(Path(folder)):
        try:
            graph.parse(path, format="turtle")
        except Exception as err:  # noqa: BLE001 - a broken file is named in one line
            raise ValueError(f"{path}: not valid Turtle ({str(err).strip().splitlines()[0]})") from err
    graph.add((URIRef(VOCABULARY_GRAPH), PKG.contentHash, Literal(content_hash)))
    return graph


def stored_hash(store: Store) -> str | None:
    """The content hash of the vocabulary the store holds, or None."""
    found = store.select(f"SELECT ?h WHERE {{ GRAPH <{VOCABULARY_GRAPH}> {{ <{VOCABULARY_GRAPH}> <{PKG.contentHash}> ?h }} }}")
    rows = found.get("results", {}).get("bindings", [])
    return rows[0]["h"]["value"] if rows else None


def load_vocabulary(store: Store, folder: Path | None = None) -> bool:
    """Put the vocabulary into its named graph unless the store has this version already.
    True when it was (re)written."""
    graph = vocabulary_graph(folder)
    if stored_hash(store) == vocabulary_hash(folder):
        return False
    store.replace_graph(VOCABULARY_GRAPH, graph)
    return True


def is_vocabulary_iri(iri: str) -> bool:
    """Whether ``iri`` is one the vocabulary defines (the ontology, its terms, the schemes and
    their concepts, the vocabulary graph), as opposed to a minted instance (``id:``)."""
    return (iri == ONTOLOGY or iri.startswith(ONTOLOGY + "#") or iri.startswith(BASE + "scheme/")
            or iri == VOCABULARY_GRAPH)


def labels(iri: str, folder: Path | None = None) -> dict[str, str]:
    """The labels of a vocabulary term by language (rdfs:label, else skos:prefLabel)."""
    graph = vocabulary_graph(folder)
    out: dict[str, str] = {}
    for prop in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(URIRef(iri), prop):
            if isinstance(value, Literal) and value.language:
                out.setdefault(value.language, str(value))
    return out


def label(iri: str, lang: str = LANGUAGES[0]) -> str | None:
    """A vocabulary term's label in ``lang``, else in the default language, else None."""
    found = labels(iri)
    return found.get(lang) or found.get(LANGUAGES[0]) or next(iter(found.values()), None)


def vocabulary_store():
    """An in-memory Oxigraph store holding the vocabulary in its named graph (parsed again only
    when the files change), for answering about the vocabulary without the store."""
    return _memory_store(str(ontology_dir()), vocabulary_hash())


@lru_cache(maxsize=2)
def _memory_store(folder: str, content_hash: str):
    import pyoxigraph

    store = pyoxigraph.Store()
    data = _parsed(folder, content_hash).serialize(format="nt", encoding="utf-8")
    store.load(data, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(VOCABULARY_GRAPH))
    return store


def select_vocabulary(query: str) -> dict:
    """A SELECT or ASK over :func:`vocabulary_store` as SPARQL JSON results (a dict)."""
    import json

    import pyoxigraph

    result = vocabulary_store().query(query)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return {"head": {}, "boolean": bool(result)}
    return json.loads(result.serialize(format=pyoxigraph.QueryResultsFormat.JSON))


def construct_vocabulary(query: str, media_format) -> bytes:
    """A CONSTRUCT over :func:`vocabulary_store`, serialised in ``media_format`` (an
    ``pyoxigraph.RdfFormat``)."""
    return vocabulary_store().query(query).serialize(format=media_format)
