"""The store interface: embedded pyoxigraph and a real Oxigraph server answer alike."""
from __future__ import annotations

import pytest
from rdflib import Literal

from kg.ingest import ingest_paths
from kg.queries import named_queries
from kg.store import StoreError, open_store, with_values

from .conftest import EXAMPLES
from .oxigraph_server import oxigraph_server


def canonical(results):
    return sorted(tuple(sorted((k, v["value"]) for k, v in b.items())) for b in results["results"]["bindings"])


def test_values_binding_is_built_from_terms_not_text():
    q = with_values('SELECT ?x WHERE { ?x ?p "WHERE {" }', {"x": Literal('x" } ; DROP ALL #')})
    assert q.startswith('SELECT ?x WHERE {\n  VALUES (?x) { ("x\\" } ; DROP ALL #") }')
    assert with_values("ASK { ?s ?p ?o }", {"s": Literal("a")}).rstrip().endswith("VALUES (?s) { (\"a\") }")


def test_syntax_errors_are_store_errors(store):
    with pytest.raises(StoreError, match="syntax"):
        store.select("SELEC nothing")


def test_read_only_open_of_a_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        open_store(tmp_path / "nope", read_only=True)


def test_remote_store_gives_the_same_answers_as_the_embedded_one(tmp_path):
    embedded = open_store(tmp_path / "embedded")
    assert ingest_paths([EXAMPLES], embedded).ok
    with oxigraph_server(tmp_path / "server") as url:
        remote = open_store(url)
        summary = ingest_paths([EXAMPLES], remote)
        assert summary.ok, summary.failed
        assert sorted(remote.graphs()) == sorted(embedded.graphs())
        for name, query in named_queries().items():
            assert canonical(remote.select(query.text)) == canonical(embedded.select(query.text)), name
        # a re-ingest through the endpoint replaces the graphs
        ingest_paths([EXAMPLES], remote)
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        assert canonical(remote.select(count)) == canonical(embedded.select(count))
        remote.close()
    embedded.close()
