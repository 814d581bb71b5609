"""Write the generated parts of docs/model.md from the ontology, so that they cannot drift.

    .venv/bin/python docs/generate_model.py          # rewrite docs/model.md in place
    .venv/bin/python docs/generate_model.py --check  # exit 1 (saying so) when docs/model.md is stale

The parts between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` are
made from kg/graph/vocab.py's PREFIXES and the vocabulary files (ontology/*.ttl, kg.graph.vocabulary):
``prefixes`` (every prefix with its real namespace IRI), ``terms`` (the ontology's classes and
properties) and ``schemes`` (each SKOS scheme with its concepts' IRIs, codes and labels). The
rest of the file is written by hand. tests/test_model_doc.py checks the committed file.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import OWL, SKOS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.graph.vocab import BASE, PREFIXES  # noqa: E402
from kg.graph.vocabulary import ONTOLOGY, vocabulary_graph  # noqa: E402

MODEL = ROOT / "docs" / "model.md"
_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n).*?(<!-- END GENERATED: \2 -->)", re.DOTALL)
OTHERS = {  # what the reused vocabularies are, for the prefix table
    "org": "W3C Organization Ontology", "eli": "European Legislation Identifier ontology",
    "nif": "NLP Interchange Format core (text and spans)", "prov": "W3C PROV-O",
    "dcterms": "DCMI Metadata Terms", "skos": "W3C SKOS", "rdfs": "RDF Schema", "rdf": "RDF",
    "xsd": "XML Schema datatypes", "owl": "OWL", "time": "W3C OWL-Time",
}


def _label(graph, node, lang: str) -> str:
    for prop in (RDFS.label, SKOS.prefLabel):
        for value in graph.objects(node, prop):
            if isinstance(value, Literal) and value.language == lang:
                return str(value)
    return ""


def _curie(iri: str) -> str:
    for name, ns in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(ns):
            return f"{name}:{iri[len(ns):]}"
    return f"<{iri}>"


def _schemes(graph) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef))


def prefixes_table(graph) -> str:
    scheme_of = {}
    for scheme in _schemes(graph):
        for concept in graph.subjects(SKOS.inScheme, scheme):
            scheme_of[str(concept).rsplit("/", 1)[0] + "/"] = scheme
    rows = []
    for name, ns in PREFIXES.items():
        if ns == ONTOLOGY + "#":
            what = "the policy-kg ontology's terms (classes, properties, concept schemes)"
        elif ns == BASE + "id/":
            what = "minted instances (reports, agencies, documents, facts, report graphs)"
        elif ns in scheme_of:
            what = f"SKOS concepts of `{_curie(str(scheme_of[ns]))}` ({_label(graph, scheme_of[ns], 'en')})"
        else:
            what = OTHERS.get(name, "")
        rows.append(f"| `{name}:` | `{ns}` | {what} |")
    return "| prefix | namespace IRI | what |\n|---|---|---|\n" + "\n".join(rows) + "\n"


def terms_table(graph) -> str:
    kinds = [(OWL.Class, "class"), (OWL.ObjectProperty, "object property"),
             (OWL.DatatypeProperty, "datatype property")]
    rows = []
    for kind, name in kinds:
        for term in sorted(t for t in graph.subjects(RDF.type, kind)
                           if isinstance(t, URIRef) and str(t).startswith(ONTOLOGY + "#")):
            rows.append(f"| `{_curie(str(term))}` | {name} | {_label(graph, term, 'zh')} | "
                        f"{_label(graph, term, 'en')} | `{term}` |")
    return ("| term | kind | 中文 | English | IRI |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")


def schemes_table(graph) -> str:
    parts = []
    for scheme in _schemes(graph):
        concepts = sorted(graph.subjects(SKOS.inScheme, scheme),
                          key=lambda c: list(graph.objects(scheme, SKOS.hasTopConcept)).index(c)
                          if c in set(graph.objects(scheme, SKOS.hasTopConcept)) else 999)
        rows = [f"| `{graph.value(c, SKOS.notation)}` | `{_curie(str(c))}` | {_label(graph, c, 'zh')} | "
                f"{_label(graph, c, 'en')} | `{c}` |" for c in concepts]
        parts.append(f"`{_curie(str(scheme))}` — {_label(graph, scheme, 'en')} ({_label(graph, scheme, 'zh')})\n\n"
                     "| code | concept | 中文 | English | IRI |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def generated(text: str) -> str:
    """``text`` (docs/model.md) with its generated blocks made again."""
    graph = vocabulary_graph()
    makers = {"prefixes": prefixes_table, "terms": terms_table, "schemes": schemes_table}

    def block(match: re.Match) -> str:
        name = match.group(2)
        if name not in makers:
            raise SystemExit(f"{MODEL}: unknown generated block {name!r} (known: {', '.join(makers)})")
        return match.group(1) + makers[name](graph) + match.group(3)

    return _BLOCK.sub(block, text)


def main(argv: list[str]) -> int:
    current = MODEL.read_text(encoding="utf-8")
    fresh = generated(current)
    if "--check" in argv:
        if fresh != current:
            print(f"{MODEL}: out of date with the ontology: run .venv/bin/python docs/generate_model.py")
            return 1
        return 0
    if fresh != current:
        MODEL.write_text(fresh, encoding="utf-8")
        print(f"{MODEL}: rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
