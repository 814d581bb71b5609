"""Named queries: the contract's seven exist, return its variables, and take typed parameters."""
from __future__ import annotations

import pytest

from kg.ingest import ingest_paths
from kg.queries import QueryError, get_query, named_queries, parse_query

from .conftest import EXAMPLES

CONTRACT = {
    "documents": {"report", "title", "level"},
    "implementations": {"report", "agency", "jurisdiction", "regulation", "action", "year"},
    "commitments": {"report", "agency", "text", "year", "document"},
    "targets": {"report", "agency", "indicator", "value", "unit", "comparator", "year", "upper"},
    "metrics": {"report", "agency", "indicator", "value", "unit", "year", "qualifier"},
    "agencies": {"report", "agency", "jurisdiction", "level"},
    "initiatives": {"report", "initiative", "agency"},
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from kg.store import open_store

    db = open_store(tmp_path_factory.mktemp("q") / "store")
    assert ingest_paths([EXAMPLES], db).ok
    yield db
    db.close()


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_contract_queries_exist_with_their_variables_and_rows(loaded, name):
    query = named_queries()[name]
    assert query.summary, "every query says what it answers"
    results = loaded.select(query.text)
    assert CONTRACT[name] <= set(results["head"]["vars"])
    assert results["results"]["bindings"], f"{name} returns rows on the examples"


def test_parameters_are_typed_and_bound(loaded):
    targets = get_query("targets")
    rows = loaded.select(targets.text, targets.bindings({"report": "yunxi-gzbg-2025", "unit": "%"}))
    bindings = rows["results"]["bindings"]
    assert bindings and all(b["unit"]["value"] == "%" and b["report"]["value"] == "yunxi-gzbg-2025" for b in bindings)
    with pytest.raises(QueryError, match="not a integer"):
        targets.bindings({"year": "next year"})
    with pytest.raises(QueryError, match="has no parameter"):
        targets.bindings({"colour": "red"})


def test_injection_is_only_a_strange_string(loaded):
    documents = get_query("documents")
    before = loaded.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    rows = loaded.select(documents.text, documents.bindings({"report": 'x" } ; DROP ALL #'}))
    assert rows["results"]["bindings"] == []
    assert loaded.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == before


def test_parameter_declarations():
    q = parse_query("t", "#+ summary: S\n#+ param: year integer required The year.\nSELECT * {}")
    assert q.params[0].name == "year" and q.params[0].required and q.params[0].description == "The year."
    with pytest.raises(QueryError, match="needs the parameter year"):
        q.bindings({})
    with pytest.raises(QueryError, match="cannot read the parameter line"):
        parse_query("t", "#+ param: year colour\nSELECT * {}")


def test_a_parameter_on_an_optional_variable_filters_instead_of_inventing(loaded):
    implementations = get_query("implementations")
    assert implementations.variable("jurisdiction") == "_jurisdiction"
    rows = loaded.select(implementations.text, implementations.bindings({"jurisdiction": "无此区"}))
    assert rows["results"]["bindings"] == []
    rows = loaded.select(implementations.text, implementations.bindings({"jurisdiction": "海滨区"}))
    assert rows["results"]["bindings"] and all(b["jurisdiction"]["value"] == "海滨区"
                                               for b in rows["results"]["bindings"])


def test_code_parameters_take_codes_and_labels_and_refuse_the_rest():
    from kg.queries import ParamValueError, get_query

    documents = get_query("documents")
    for value in ("law", "法律", "Law", " LAW "):
        assert str(next(iter(documents.bindings({"level": value}).values()))) == "law"
    with pytest.raises(ParamValueError, match="valid: .*local-regulation"):
        documents.bindings({"level": "地方法规"})
    agencies = get_query("agencies")
    assert str(next(iter(agencies.bindings({"level": "区县级"}).values()))) == "district"
    with pytest.raises(ParamValueError):
        agencies.bindings({"level": "law"})  # a document level is not an administrative level


def test_the_cli_names_the_valid_codes_in_one_line(tmp_path):
    from .conftest import run_kg

    run_kg("ingest", str(EXAMPLES), "--store", str(tmp_path / "s"), check=True)
    proc = run_kg("query", "documents", "--store", str(tmp_path / "s"), "--param", "level=bogus")
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "valid:" in lines[0] and "local-regulation" in lines[0]


def test_sparqlwrapper_reads_every_named_query_as_the_query_it_is():
    """SPARQLWrapper guesses a query's form from the first keyword left after it strips (every
    other) comment line: a header word such as "clear" would make it send a SELECT as an update."""
    from SPARQLWrapper import SPARQLWrapper

    wrapper = SPARQLWrapper("http://127.0.0.1:1/sparql")
    for name, query in named_queries().items():
        wrapper.setQuery(query.text)
        assert not wrapper.isSparqlUpdateRequest(), name
        assert wrapper.queryType in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"), name
