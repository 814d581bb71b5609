"""The store interface: embedded pyoxigraph and a real Oxigraph server answer alike."""
from __future__ import annotations

import json
import re

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


GRAPH_QUERY = """SELECT ?s ?o WHERE {
  GRAPH ?g {
    ?s <http://example.org/p> ?o .
    OPTIONAL { ?s <http://example.org/q> ?maybe }
    BIND (STR(?o) AS ?computed)
  }
  FILTER (!BOUND(?_f) || ?o = ?_f)
}"""


def _inner_and_outer(query: str) -> tuple[str, str]:
    """The GRAPH block's opening (up to its first nested group) and the text before the block."""
    graph = query.index("GRAPH ?g {")
    return query[graph:query.index("OPTIONAL")], query[:graph]


@pytest.mark.parametrize("name, place", [
    ("s", "inner"),        # bound by a triple pattern of the leading GRAPH block
    ("o", "inner"),
    ("maybe", "outer"),    # only in an OPTIONAL: binding it first would change the answers
    ("computed", "outer"),  # a BIND target cannot be bound before the BIND
    ("_f", "outer"),       # only in a FILTER outside the block
    ("absent", "outer"),
])
def test_values_go_inside_the_leading_graph_block_only_when_that_keeps_the_answers(name, place):
    query = with_values(GRAPH_QUERY, {name: Literal("v")})
    inner, outer = _inner_and_outer(query)
    block = f'VALUES (?{name}) {{ ("v") }}'
    assert (block in inner, block in outer) == (place == "inner", place == "outer")


def test_values_stay_at_the_top_when_the_where_group_does_not_open_with_graph():
    query = with_values("SELECT * WHERE { ?s ?p ?o . GRAPH ?g { ?s ?p ?o } }", {"s": Literal("v")})
    assert query.startswith('SELECT * WHERE {\n  VALUES (?s) { ("v") }')


def test_named_queries_give_the_same_answers_with_values_inside_or_at_the_top(store):
    """The placement is an optimisation: every named query, with every parameter it takes,
    answers the same as with all values at the top of the WHERE group."""
    from kg.store import _values_block

    assert ingest_paths([EXAMPLES], store).ok
    samples = {"report": "haibin-sfj-2025", "year": "2026", "level": "local-regulation",
               "jurisdiction": "海滨区", "action": "implement", "unit": "%", "body": "海滨区司法局",
               "outcome": "met", "document": "中华人民共和国行政复议法"}
    moved = 0
    for name, query in named_queries().items():
        for param in query.params:
            sample = "district" if param.type == "code:admin-level" else samples[param.name]
            bindings = query.bindings({param.name: sample})
            placed = with_values(query.text, bindings)
            top = query.text.replace("WHERE {", "WHERE {\n  " + _values_block(bindings), 1)
            moved += placed != top
            assert canonical(store.select(placed)) == canonical(store.select(top)), (name, param.name)
    assert moved >= 7  # the report parameter of each contract query goes inside


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


@pytest.mark.parametrize("query, expected", [
    ("SELECT ?s WHERE { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p ?o }\nLIMIT 11\n"),
    ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3", "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 500 OFFSET 2", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 11 OFFSET 2"),
    # a LIMIT inside a sub-select or a string is not the query's
    ('SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p "LIMIT 2" } LIMIT 500 } }',
     'SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p "LIMIT 2" } LIMIT 500 } }\nLIMIT 11\n'),
    ("SELECT ?s { ?s ?p ?o } # LIMIT 1", "SELECT ?s { ?s ?p ?o } # LIMIT 1\nLIMIT 11\n"),
    ("SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <http://a> }", None),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", None),
    ("ASK { ?s ?p ?o }", None),
])
def test_the_row_cap_becomes_a_limit_of_the_query(query, expected):
    from kg.store import with_limit

    assert with_limit(query, 11) == expected


FORMATS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"]


def _solutions(body: bytes, media: str) -> list:
    import csv
    import io

    import pyoxigraph

    if media == "text/csv":  # lossy: pyoxigraph does not read it back
        return [tuple(row) for row in csv.reader(io.StringIO(body.decode("utf-8")))][1:]
    fmt = {"application/sparql-results+json": "JSON", "application/sparql-results+xml": "XML",
           "text/csv": "CSV", "text/tab-separated-values": "TSV"}[media]
    parsed = pyoxigraph.parse_query_results(body, format=getattr(pyoxigraph.QueryResultsFormat, fmt))
    variables = [v.value for v in parsed.variables]
    return [tuple(str(row[v]) if row[v] is not None else None for v in variables) for row in parsed]


@pytest.mark.parametrize("media", FORMATS)
def test_capped_answers_are_the_first_rows_of_the_whole_answer(store, media):
    """The row cap served by Oxigraph's own writer (a LIMIT, TSV cut and rewritten) gives the
    rows and the truncation flag of reading the whole answer and cutting it."""
    assert ingest_paths([EXAMPLES], store).ok
    for name, query in named_queries().items():
        whole = _solutions(store.raw_query(query.text, accept=media).body, media)
        assert whole, name
        for cap in (1, len(whole) - 1, len(whole), len(whole) + 5, 3 * len(whole), 1000 * len(whole)):
            if cap < 1:
                continue
            capped = store.raw_query(query.text, accept=media, row_limit=cap)
            assert capped.content_type == media
            assert _solutions(capped.body, media) == whole[:cap], (name, cap)
            assert capped.truncated == (len(whole) > cap), (name, cap)


@pytest.mark.parametrize("rows", [1, 2, 5, 40])
def test_a_short_json_answer_is_never_taken_for_a_whole_one(store, rows):
    """A JSON answer shorter than 3 bytes a row is sent as Oxigraph writes it: empty rows
    (``{}``, the shortest a row can be) at every cap around their number still come cut and
    flagged."""
    query = "SELECT ?nothing WHERE { VALUES ?x { %s } }" % " ".join(str(i) for i in range(rows))
    media = "application/sparql-results+json"
    for cap in range(1, rows + 40):  # past rows + 15 or so the answer is shorter than 3 bytes a row
        answer = store.raw_query(query, accept=media, row_limit=cap)
        bindings = json.loads(answer.body)["results"]["bindings"]
        assert bindings == [{}] * min(rows, cap), (rows, cap)
        assert answer.truncated == (rows > cap), (rows, cap)


def test_serial_replacements_flush_like_the_batch_writer(tmp_path, monkeypatch):
    """replace_graph (the serial ingest's and the API's write) counts what it writes and
    flushes Oxigraph's memtables every FLUSH_EVERY_QUADS quads, as bulk_replace does."""
    import kg.store as store_module
    from kg.ingest import report_graph_of
    from kg.read import read_report

    graph = report_graph_of(read_report(EXAMPLES / "haibin-sfj-2025.txt"))
    monkeypatch.setattr(store_module, "FLUSH_EVERY_QUADS", len(graph) * 2)
    store = open_store(tmp_path / "store")
    flushes = []

    class Spy:
        def __init__(self, inner):
            self._inner = inner

        def flush(self):
            flushes.append(1)
            return self._inner.flush()

        def __getattr__(self, name):
            return getattr(self._inner, name)

    store._store = Spy(store._store)
    for i in range(4):  # two new graphs, then the same two replaced
        store.replace_graph(f"https://example.org/graph/{i % 2}", graph)
    assert len(flushes) == 2
    assert sorted(store.graphs()) == ["https://example.org/graph/0", "https://example.org/graph/1"]
    count = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(count["results"]["bindings"][0]["n"]["value"]) == 2 * len(graph)
    store.close()


NT = (b'<http://e/a> <http://e/p> "\xe5\x85\x89\xe6\x98\x8e \\" . \\n" .\n'
      b'<http://e/a> <http://e/q> <http://e/b> .\n')


@pytest.mark.parametrize("text", [
    NT,                                                   # as the project writes it: one replace
    b"# a comment\n" + NT,                                # a comment line
    NT.replace(b"\n", b"\r\n"),                           # CRLF
    NT.replace(b" .\n", b".\n"),                           # no space before the dot
    NT + b"\n\n",                                         # blank lines
    NT.replace(b" .\n", b" .   \n"),                       # trailing blanks
    NT[:-1],                                              # no final line break
])
def test_ntriples_become_nquads_of_the_graph(text):
    from pyoxigraph import NamedNode, RdfFormat, parse

    from kg.store import nt_to_nquads

    out = nt_to_nquads(text, "http://e/g")
    quads = list(parse(out, format=RdfFormat.N_QUADS))
    triples = list(parse(text, format=RdfFormat.N_TRIPLES))
    assert [(q.subject, q.predicate, q.object) for q in quads] == [(t.subject, t.predicate, t.object) for t in triples]
    assert {q.graph_name for q in quads} == {NamedNode("http://e/g")} and len(quads) == 2
    assert out.endswith(b" <http://e/g> .\n") and out.count(b"\n") == 2


KEYWORD_TEXTS = ["SELECT ?x WHERE { ?x ?p ?o } LIMIT 5", "select ?x where{?x ?p ?o}limit 7", "SeLeCt * WhErE {}",
                 "?selected ?select_ _select éselect 1select x.select", "ASKED ask{ ?a ?b ?c }", "?ask ask",
                 "CONSTRUCT{?s ?p ?o} WHERE {}", "describe<http://a>", "nowhere { } where\n\t{", "中where {",
                 "unlimited 5 limit\n7 LIMIT  12", "?values VALUES_ values ?x { 1 }", "SELECTWHERE {", "", "w",
                 "DESCRIBEDESCRIBE describe", "ßelect SELECT", "ａsk ask"]
OLD_KEYWORDS = {"form": re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE),
                "where": re.compile(r"\bWHERE\s*\{", re.IGNORECASE),
                "limit": re.compile(r"\bLIMIT\s+(\d+)", re.IGNORECASE),
                "values": re.compile(r"\bVALUES\b", re.IGNORECASE)}


@pytest.mark.parametrize("text", KEYWORD_TEXTS)
def test_keywords_are_found_where_a_leading_word_boundary_finds_them(text):
    """The query keywords are searched with patterns that open with their first letters (fast
    in Python's engine) and a check that the match starts a word: the same matches as ``\\b``
    patterns, from every position of the text."""
    import kg.store as store_module

    new = {"form": store_module._FORM, "where": store_module._WHERE, "limit": store_module._LIMIT,
           "values": store_module._VALUES}
    for name, old in OLD_KEYWORDS.items():
        for pos in range(len(text) + 1):
            expected = old.search(text, pos)
            found = store_module._search_word(new[name], text, pos)
            assert (found is None) == (expected is None), (name, text, pos)
            if found is not None:
                assert found.span() == expected.span(), (name, text, pos)
                assert found.group() == expected.group(), (name, text, pos)
                if name == "limit":
                    assert found.group(1) == expected.group(1), (name, text, pos)
