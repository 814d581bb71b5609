"""`kg sparql`: ad-hoc SPARQL from the command line (text, file or stdin), in every format."""
from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph

from .conftest import EXAMPLES, run_kg

SELECT = ("PREFIX pkg: <https://w3id.org/policy-kg/ontology#> "
          "SELECT ?r WHERE { ?r a pkg:Report } ORDER BY ?r")
CONSTRUCT = ("PREFIX pkg: <https://w3id.org/policy-kg/ontology#> "
             "CONSTRUCT { ?r a pkg:Report } WHERE { ?r a pkg:Report }")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-sparql") / "store"
    run_kg("ingest", str(EXAMPLES), "--store", str(folder), check=True)
    return str(folder)


def test_select_as_json_csv_tsv_and_table(store):
    data = json.loads(run_kg("sparql", SELECT, "--store", store, "--format", "json", check=True).stdout)
    reports = [b["r"]["value"] for b in data["results"]["bindings"]]
    assert len(reports) == 4  # the example reports
    rows = list(csv.reader(io.StringIO(run_kg("sparql", SELECT, "-s", store, "-f", "csv", check=True).stdout)))
    assert rows == [["r"], *[[r] for r in reports]]
    tsv = run_kg("sparql", SELECT, "-s", store, "-f", "tsv", check=True).stdout.splitlines()
    assert tsv[0] == "?r" and len(tsv) == 5
    table = run_kg("sparql", SELECT, "-s", store, check=True).stdout
    assert "4 rows" in table


def test_construct_as_turtle_and_ntriples(store):
    turtle = run_kg("sparql", CONSTRUCT, "-s", store, "-f", "ttl", check=True).stdout
    assert len(Graph().parse(data=turtle, format="turtle")) == 4
    nt = run_kg("sparql", CONSTRUCT, "-s", store, "-f", "nt", check=True).stdout
    assert len(Graph().parse(data=nt, format="nt")) == 4
    assert len(Graph().parse(data=run_kg("sparql", CONSTRUCT, "-s", store, check=True).stdout,
                             format="turtle")) == 4  # table: Turtle for graphs


def test_query_from_a_file_and_from_stdin(store, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text(SELECT, encoding="utf-8")
    from_file = json.loads(run_kg("sparql", str(path), "-s", store, "-f", "json", check=True).stdout)
    from_stdin = json.loads(run_kg("sparql", "-", "-s", store, "-f", "json", input=SELECT, check=True).stdout)
    assert from_file == from_stdin
    assert run_kg("sparql", "ASK { ?s ?p ?o }", "-s", store, check=True).stdout.strip() == "true"


@pytest.mark.parametrize("args, message", [
    (["SELECT * WHERE { ?s ?p ?o }", "-f", "ttl"], "does not fit a SELECT/ASK query"),
    ([CONSTRUCT, "-f", "csv"], "does not fit a CONSTRUCT/DESCRIBE query"),
    (["SELECT * WHERE { ?s ?p", "-f", "json"], "syntax error"),
    (["SELECT * WHERE { ?s ?p ?o }", "-f", "yaml"], "unknown format"),
    (["   "], "no query given"),
])
def test_mistakes_are_one_line(store, args, message):
    proc = run_kg("sparql", *args, "-s", store)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_ingest_says_in_one_line_when_the_authority_list_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_KG_AUTHORITY", str(tmp_path / "nowhere.csv"))
    proc = run_kg("ingest", str(EXAMPLES), "--store", str(tmp_path / "s"), "-q", check=True)
    notes = [line for line in proc.stderr.splitlines() if "authority list" in line]
    assert len(notes) == 1 and "nowhere.csv" in notes[0]
    monkeypatch.setenv("POLICY_KG_AUTHORITY", "none")  # turned off on purpose: nothing said
    proc = run_kg("ingest", str(EXAMPLES), "--store", str(tmp_path / "t"), "-q", check=True)
    assert "authority list" not in proc.stderr
    monkeypatch.setenv("POLICY_KG_HOME", str(tmp_path / "home"))  # found nowhere it is looked for
    monkeypatch.delenv("POLICY_KG_AUTHORITY")
    from kg.authority import authority_note

    assert "no authority list of laws found" in authority_note()
