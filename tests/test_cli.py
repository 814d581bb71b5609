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
    assert "4 reports stored, 0 failed" in proc.stderr and "0 SHACL violations" in proc.stderr
    data = json.loads(run_kg("query", "targets", "--store", store, "--format", "json", check=True).stdout)
    assert {"report", "value", "comparator"} <= set(data["head"]["vars"])
    rows = list(csv.DictReader(io.StringIO(run_kg("query", "documents", "--store", store, "--format", "csv",
                                                  "--param", "level=law", check=True).stdout)))
    assert rows and {r["level"] for r in rows} == {"law"}
    table = run_kg("query", "agencies", "--store", store, check=True).stdout
    assert "海滨区司法局" in table and "rows" in table
    assert "6 of 6 graphs conform" in run_kg("validate", "--store", store, check=True).stdout
    stats = json.loads(run_kg("stats", "--store", store, "--format", "json", check=True).stdout)
    assert stats["reports"] == 4 and stats["documents"] > 5 and stats["triples"] > 500


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
    assert "broken.txt" in proc.stderr and "4 reports stored, 1 failed" in proc.stderr


def test_demo_without_serving(tmp_path):
    proc = run_kg("demo", "--store", str(tmp_path / "demo"), "--no-serve")
    assert proc.returncode == 0, proc.stderr
    assert "ingested 4 example reports" in proc.stdout and "try:" in proc.stdout


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
    assert proc.returncode == 0 and "4 reports stored, 0 failed" in proc.stderr, proc.stderr
    a = run_kg("query", "metrics", "--store", one, "--format", "csv", check=True).stdout
    b = run_kg("query", "metrics", "--store", two, "--format", "csv", check=True).stdout
    assert sorted(a.splitlines()) == sorted(b.splitlines())


# --- hostile input through the real CLI: one line each, never internals (issue 11, point 11) -----

HEAD = "某区司法局2025年法治政府建设年度报告\n一、主要工作\n"


def _failed(proc) -> list[str]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return [line for line in proc.stderr.splitlines() if line.startswith(("failed:", "kg: error"))]


def test_a_5_mb_line_without_punctuation_is_segmented_not_a_crash(tmp_path):
    report = tmp_path / "one-line.txt"
    report.write_text(HEAD + "全面推进依法行政持续深化法治政府建设" * 100_000 + "\n", encoding="utf-8")
    assert report.stat().st_size > 5_000_000
    proc = run_kg("ingest", str(report), "--store", str(tmp_path / "store"), "-q")
    assert proc.returncode == 0 and _failed(proc) == [], proc.stderr
    assert "E088" not in proc.stderr and "1 reports stored, 0 failed" in proc.stderr


def test_a_manifest_url_that_is_not_an_iri_is_that_rows_error(tmp_path, examples_copy):
    manifest = examples_copy / "manifest.csv"
    rows = manifest.read_text(encoding="utf-8").splitlines()
    rows[1] += "http://example.org/a b"           # a space: not an IRI (rdflib's N3 error before)
    rows[2] += "javascript:alert(1)"              # would be a live link on the report's page
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = run_kg("ingest", str(examples_copy), "--store", str(tmp_path / "store"))
    failed = _failed(proc)
    assert proc.returncode == 2 and len(failed) == 2, proc.stderr  # the two 2024 rows still ingest
    assert f"{manifest}:2: url 'http://example.org/a b' is not an IRI" in failed[0]
    assert f"{manifest}:3: url 'javascript:alert(1)' must start with http:// or https://" in failed[1]
    assert "2 reports stored" in proc.stderr  # neither file goes in without its row


def test_store_dot_is_the_current_folder(tmp_path, examples_copy):
    here = tmp_path / "here"
    here.mkdir()
    proc = run_kg("ingest", str(examples_copy), "--store", ".", cwd=here)
    assert proc.returncode == 0 and "4 reports stored" in proc.stderr, proc.stderr
    assert "empty name" not in proc.stderr
    proc = run_kg("query", "agencies", "--store", ".", cwd=here)
    assert proc.returncode == 0 and "海滨区司法局" in proc.stdout, proc.stderr
    proc = run_kg("ingest", str(examples_copy), "--store", "/")
    (line,) = _failed(proc)
    assert proc.returncode == 1 and "--store /" in line and "empty name" not in line


def test_a_device_or_a_fifo_is_not_a_regular_file_and_is_never_read(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # nobody writes: reading it would block for ever
    for jobs in ("1", "2"):
        proc = run_kg("ingest", "/dev/zero", str(fifo), "--store", str(tmp_path / "store"), "--jobs", jobs,
                      timeout=120)
        failed = sorted(_failed(proc))
        assert proc.returncode == 1 and len(failed) == 2, proc.stderr
        assert "/dev/zero: not a regular file (a character device)" in failed[0]
        assert f"{fifo}: not a regular file (a FIFO)" in failed[1]
    proc = run_kg("extract", str(fifo), timeout=120)
    (line,) = _failed(proc)
    assert proc.returncode == 1 and f"{fifo}: not a regular file (a FIFO)" in line


def test_a_nul_byte_is_refused_the_same_way_wherever_it_is(tmp_path):
    folder = tmp_path / "nul"
    folder.mkdir()
    body = (HEAD + "全年办理行政复议案件12件。\n" * 400).encode("utf-8")  # NUL far past the first 4 KB too
    html = ("<html><body><p>" + HEAD.replace("\n", "</p><p>") + "全年办理行政复议案件12件。</p>" * 400
            + "</body></html>").encode("utf-8")
    for name, data in (("txt", body), ("html", html)):
        middle = data.index(b"12", len(data) // 2)  # between two characters
        (folder / f"first-{name}.{name}").write_bytes(b"\x00" + data)
        (folder / f"middle-{name}.{name}").write_bytes(data[:middle] + b"\x00" + data[middle:])
        (folder / f"end-{name}.{name}").write_bytes(data + b"\x00")
    (folder / "clean.txt").write_bytes(body)
    for jobs in ("1", "2"):
        proc = run_kg("ingest", str(folder), "--store", str(tmp_path / f"store{jobs}"), "--jobs", jobs)
        failed = _failed(proc)
        assert proc.returncode == 2 and "1 reports stored, 6 failed" in proc.stderr, proc.stderr
        assert len(failed) == 6
        for line in failed:
            assert "binary file, not a text report (a NUL byte" in line, line
