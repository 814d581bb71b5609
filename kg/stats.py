"""Counts over a store: reports, triples and nodes of each kind (of the report graphs: the
vocabulary's graph, kg.graph.vocabulary, is not counted)."""
from __future__ import annotations

from kg.store import Store
from kg.graph.vocab import PREFIXES
from kg.graph.vocabulary import VOCABULARY_GRAPH

KINDS = {
    "reports": "pkg:Report", "agencies": "pkg:Agency", "organisations": "org:Organization",
    "regions": "pkg:Region", "documents": "pkg:Document", "initiatives": "pkg:Initiative",
    "actions": "pkg:Action", "commitments": "pkg:Commitment", "targets": "pkg:Target", "metrics": "pkg:Metric",
    "sentences": "nif:Sentence",
}


def store_stats(store: Store) -> dict[str, int]:
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    data = store.select("SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?g_n) WHERE { GRAPH ?g { ?s ?p ?o } "
                        f"FILTER(?g != <{VOCABULARY_GRAPH}>) }}")
    row = data["results"]["bindings"][0]
    stats = {"graphs": int(row["g_n"]["value"]), "triples": int(row["n"]["value"])}
    values = " ".join(f"({name!r} {cls})".replace("'", '"') for name, cls in KINDS.items())
    data = store.select(prefixes + "SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE { VALUES (?kind ?class) { "
                        + values + f" }} GRAPH ?g {{ ?x a ?class }} FILTER(?g != <{VOCABULARY_GRAPH}>) }} GROUP BY ?kind")
    counts = {b["kind"]["value"]: int(b["n"]["value"]) for b in data["results"]["bindings"]}
    for name in KINDS:
        stats[name] = counts.get(name, 0)
    return stats
