"""The `kg` command line, run as a user runs it."""
from __future__ import annotations

import csv
import io
import json

from .conftest import EXAMPLES, run_kg


def test_ingest_query_validate_stats(tmp_path, examples_copy):
    store = str(tmp_path / "store")
    proc = run_kg("ingest", str(examples_copy), "--store", store)
    assert proc.returncode == 0, proc.stderr
    assert "2 reports stored, 0 failed" in proc.stderr and "0 SHACL violations" in proc.stderr
    data = json.loads(run_kg("query", "targets", "--store", store, "--format", "json", check=True).stdout)
    assert {"report", "value", "comparator"} <= set(data["head"]["vars"])
    rows = list(csv.DictReader(io.StringIO(run_kg("query", "documents", "--store", store, "--format", "csv",
                                                  "--param", "level=law", check=True).stdout)))
    assert rows and {r["level"] for r in rows} == {"law"}
    table = run_kg("query", "agencies", "--store", store, check=True).stdout
    assert "海滨区司法局" in table and "rows" in table
    assert "2 of 2 report graphs conform" in run_kg("validate", "--store", store, check=True).stdout
    stats = json.loads(run_kg("stats", "--store", store, "--format", "json", check=True).stdout)
    assert stats["reports"] == 2 and stats["documents"] > 5 and stats["triples"] > 500


def test_extract_prints_a_graph_without_a_store(tmp_path):
    from rdflib import Graph

    proc = run_kg("extract", str(EXAMPLES / "haibin-sfj-2025.txt"), "--format", "ttl")
    assert proc.returncode == 0, proc.stderr
    graph = Graph().parse(data=proc.stdout, format="turtle")
    assert len(graph) > 100
    proc = run_kg("extract", str(EXAMPLES / "haibin-sfj-2025.txt"), "--format", "jsonld")
    assert json.loads(proc.stdout)


def test_errors_are_one_line_without_traceback(tmp_path):
    cases = [
        run_kg("query", "nope", "--store", str(tmp_path)),
        run_kg("query", "targets", "--store", str(tmp_path / "missing")),
        run_kg("query", "targets", "--store", str(tmp_path), "--param", "year=soon"),
        run_kg("extract", str(tmp_path / "absent.txt")),
        run_kg("ingest", str(tmp_path / "absent"), "--store", str(tmp_path / "s")),
    ]
    for proc in cases:
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert any(line.startswith(("kg: error", "failed:")) for line in lines), proc.stderr


def test_partial_failure_sets_the_exit_status(tmp_path, examples_copy):
    (examples_copy / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    proc = run_kg("ingest", str(examples_copy), "--store", str(tmp_path / "s"))
    assert proc.returncode == 2
    assert "broken.txt" in proc.stderr and "2 reports stored, 1 failed" in proc.stderr


def test_demo_without_serving(tmp_path):
    proc = run_kg("demo", "--store", str(tmp_path / "demo"), "--no-serve")
    assert proc.returncode == 0, proc.stderr
    assert "ingested 2 example reports" in proc.stdout and "try:" in proc.stdout


def test_export_command_writes_files_gephi_reads(tmp_path, examples_copy):
    import networkx as nx

    store = str(tmp_path / "store")
    run_kg("ingest", str(examples_copy), "--store", store, check=True)
    out = tmp_path / "graph.gexf"
    proc = run_kg("export", "--store", store, "--format", "gexf", "--view", "agency-document", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    graph = nx.read_gexf(out)
    assert graph.number_of_nodes() > 3 and graph.number_of_edges() > 3
    proc = run_kg("export", "--store", store, "--format", "csv", "--output", str(tmp_path / "csv"))
    assert proc.returncode == 0 and "nodes.csv" in proc.stdout and "edges.csv" in proc.stdout
    bad = run_kg("export", "--store", store, "--view", "everything", "--output", str(tmp_path / "x.gexf"))
    assert bad.returncode != 0 and "kg: error" in bad.stderr and "Traceback" not in bad.stderr


def test_a_second_writer_is_told_and_refused(tmp_path, examples_copy):
    from kg.store import open_store

    store = tmp_path / "store"
    holder = open_store(store)  # as a running ingest or a writable server would
    try:
        proc = run_kg("ingest", str(examples_copy), "--store", str(store), "--wait", "1")
        assert proc.returncode == 1
        assert "waiting for another process" in proc.stderr and "in use by another process" in proc.stderr
        proc = run_kg("query", "documents", "--store", str(store), "--wait", "0")
        assert proc.returncode == 1 and "in use by another process" in proc.stderr
    finally:
        holder.close()
    assert run_kg("ingest", str(examples_copy), "--store", str(store)).returncode == 0


def test_ingest_with_two_workers_stores_the_same_graphs(tmp_path, examples_copy):
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    run_kg("ingest", str(examples_copy), "--store", one, check=True)
    proc = run_kg("ingest", str(examples_copy), "--store", two, "--jobs", "2")
    assert proc.returncode == 0 and "2 reports stored, 0 failed" in proc.stderr, proc.stderr
    a = run_kg("query", "metrics", "--store", one, "--format", "csv", check=True).stdout
    b = run_kg("query", "metrics", "--store", two, "--format", "csv", check=True).stdout
    assert sorted(a.splitlines()) == sorted(b.splitlines())
