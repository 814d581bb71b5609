"""kg.parallel: the batch ingest on several processes keeps kg.ingest's contract."""
from __future__ import annotations

import pytest

import kg.parallel as parallel
from kg.ingest import ingest_paths
from kg.parallel import ingest_paths_parallel, ingest_reports_parallel
from kg.read import read_report
from kg.store import open_store

from .conftest import EXAMPLES

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _dump(store) -> set[tuple[str, ...]]:
    rows = store.select_rows("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {(r["g"], r["s"], r["p"], r["o"]) for r in rows}


def _copies(folder, n: int):
    """``n`` reports made from the example (distinct ids and files), with a manifest."""
    folder.mkdir()
    text = (EXAMPLES / "haibin-sfj-2025.txt").read_text(encoding="utf-8")
    lines = ["id,file,title,agency,jurisdiction,year,url"]
    for i in range(n):
        (folder / f"r{i:03}.txt").write_text(text.replace("评查案卷210宗", f"评查案卷{200 + i}宗"), encoding="utf-8")
        lines.append(f"r{i:03},r{i:03}.txt,海滨区司法局2025年法治政府建设年度报告,海滨区司法局,海滨区,2025,")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_same_graphs_as_the_serial_ingest(tmp_path, jobs):
    serial, fast = open_store(tmp_path / "serial"), open_store(tmp_path / f"jobs{jobs}")
    assert ingest_paths([EXAMPLES], serial).ok
    summary = ingest_paths_parallel([EXAMPLES], fast, jobs=jobs)
    assert summary.ok and len(summary.stored) == 4
    assert _dump(fast) == _dump(serial)
    serial.close(), fast.close()


def test_batches_span_tasks_and_every_report_is_reported_once(tmp_path, monkeypatch):
    """Workers take 16 reports a task; the writer stores several tasks a transaction. Every
    outcome is reported after its report is stored, once."""
    monkeypatch.setattr(parallel, "WRITE_BATCH", 24)
    folder = _copies(tmp_path / "many", 40)
    store = open_store(tmp_path / "store")
    writes: list[int] = []
    real = store.bulk_replace
    store.bulk_replace = lambda graphs, **options: (writes.append(len(graphs := list(graphs))), real(graphs, **options))[1]
    seen = []

    def done(outcome):
        # stored before it is reported
        assert outcome.stored and outcome.report_id in " ".join(store.graphs())
        seen.append(outcome.report_id)

    summary = ingest_paths_parallel([folder], store, jobs=2, chunk=8, on_done=done)
    assert summary.ok and len(summary.stored) == 40
    assert sorted(seen) == sorted(f"r{i:03}" for i in range(40))
    assert sum(writes) == 40 and max(writes) >= 24 and len(writes) < 40 / 8
    store.close()


def test_a_report_the_store_refuses_fails_alone(tmp_path):
    """A batch the store refuses is written again report by report: only the bad one fails."""
    folder = _copies(tmp_path / "few", 5)
    store = open_store(tmp_path / "store")
    real = store.bulk_replace

    def picky(graphs, **options):
        graphs = list(graphs)
        if any(iri.endswith("/r002") for iri, _ in graphs):
            raise parallel.StoreError("refused r002")
        return real(graphs, **options)

    store.bulk_replace = picky
    summary = ingest_paths_parallel([folder], store, jobs=1)
    failed = [o for o in summary.outcomes if o.error]
    assert [o.report_id for o in failed] == ["r002"] and "store refused the report: refused r002" in failed[0].error
    assert len(summary.stored) == 4 and not any(g.endswith("/r002") for g in store.graphs())
    store.close()


def test_bad_files_and_a_reused_id_fail_with_a_reason_and_the_batch_goes_on(tmp_path):
    folder = _copies(tmp_path / "mixed", 3)
    (folder / "empty.txt").write_bytes(b"")
    with (folder / "manifest.csv").open("a", encoding="utf-8") as manifest:
        manifest.write("empty,empty.txt,,,,2025,\n")
        manifest.write("r001,r000.txt,,,,2025,\n")  # the id of another row
    store = open_store(tmp_path / "store")
    summary = ingest_paths_parallel([folder], store, jobs=2)
    errors = sorted(o.error for o in summary.outcomes if o.error)
    assert len(summary.stored) == 3 and len(errors) == 2, errors
    assert any("empty.txt" in e for e in errors)
    assert any("is already used by" in e for e in errors)
    store.close()


def test_reports_given_as_objects(tmp_path):
    reports = [read_report(path) for path in sorted(EXAMPLES.glob("*.txt"))]
    store = open_store(tmp_path / "store")
    summary = ingest_reports_parallel(reports, store, jobs=2)
    assert summary.ok and len(summary.stored) == 4
    assert int(store.select(COUNT)["results"]["bindings"][0]["n"]["value"]) > 100
    store.close()
