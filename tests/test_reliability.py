"""Faults: kill -9 in the middle of an ingest, two ingests at once, queries during an ingest.

Every report is wholly present or absent; a rerun completes; readers never see half a report."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time

import httpx

from kg.authority import default_authority
from kg.ingest import ingest_paths, report_graph_of
from dataclasses import replace

from kg.read import discover, read_report
from kg.store import open_store

from .conftest import EXAMPLES, kg_command

# the report graphs (not the vocabulary's graph, which kg ingest also writes: kg.graph.vocabulary)
COUNT = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
         "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/policy-kg/id/graph/')) } GROUP BY ?g")


def make_corpus(folder, copies):
    """``copies`` reports of each 2025 example, under new ids (same text, so the same graph size; one year
    only, so no progress check is derived from them)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["id,file,title,agency,jurisdiction,year,url"]
    expected = {}
    for source, meta in discover([EXAMPLES])[0]:
        if meta.year != 2025:
            continue
        for i in range(copies):
            rid = f"{meta.id}-{i:03d}"
            shutil.copy(source, folder / f"{rid}.txt")
            rows.append(f"{rid},{rid}.txt,{meta.title},{meta.agency},{meta.jurisdiction},{meta.year},")
        expected[meta.id] = len(report_graph_of(read_report(source, replace(meta, id=f"{meta.id}-000")),
                                             default_authority()))
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return expected


def graph_sizes(store_path):
    db = open_store(store_path, read_only=True, wait=30)
    try:
        return {b["g"]["value"].rsplit("/", 1)[-1]: int(b["n"]["value"])
                for b in db.select(COUNT)["results"]["bindings"]}
    finally:
        db.close()


def test_kill_9_mid_ingest_leaves_whole_reports_and_a_rerun_completes(tmp_path):
    """Killed while a batch is being bulk-loaded (its journal is on disk: kg.journal): the
    batches before it are whole, the batch itself is absent, a rerun completes."""
    from kg.journal import journal_path, pending

    corpus, store = tmp_path / "corpus", tmp_path / "store"
    expected = make_corpus(corpus, 150)
    proc = subprocess.Popen([*kg_command(), "ingest", str(corpus), "--store", str(store), "--no-shacl", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    journal, seen, was = journal_path(store), 0, False
    deadline = time.monotonic() + 120
    while True:  # the second batch's load: one batch whole before it
        now = journal.exists()
        seen += now and not was
        was = now
        if seen >= 2 and now:
            break
        assert proc.poll() is None and time.monotonic() < deadline, "the ingest ended before its second batch"
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    unfinished = pending(store)  # the batch the kill interrupted, when it landed mid-load
    sizes = graph_sizes(store)
    assert 0 < len(sizes) < 300
    for rid, n in sizes.items():
        assert n == expected[rid.rsplit("-", 1)[0]], f"{rid} is half written: {n} triples"
    assert not {iri.rsplit("/", 1)[-1] for iri in unfinished} & set(sizes), "a killed batch was kept"
    assert not journal.exists()
    rerun = subprocess.run([*kg_command(), "ingest", str(corpus), "--store", str(store), "--no-shacl", "-q"],
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    sizes = graph_sizes(store)
    assert len(sizes) == 300 and all(n == expected[r.rsplit("-", 1)[0]] for r, n in sizes.items())


def test_two_ingests_at_once_take_turns(tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    expected = make_corpus(corpus, 40)
    cmd = [*kg_command(), "ingest", str(corpus), "--store", str(store), "-q", "--wait", "300"]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = store.with_name(store.name + ".lock")
    deadline = time.monotonic() + 120
    while not (lock.exists() and lock.read_text().startswith("pid")):  # the first holds the store
        assert first.poll() is None and time.monotonic() < deadline, "the first ingest never took the store"
        time.sleep(0.02)
    second = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outs = [p.communicate(timeout=600) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outs
    assert any("waiting for another process" in err for _, err in outs)
    sizes = graph_sizes(store)
    assert len(sizes) == 80 and all(n == expected[r.rsplit("-", 1)[0]] for r, n in sizes.items())


def test_queries_during_an_ingest_see_whole_reports(tmp_path):
    from .api_fixtures import serve as serve_app  # a real uvicorn on 127.0.0.1

    from api.app import create_app

    db = open_store(tmp_path / "store")
    report_file = EXAMPLES / "haibin-sfj-2025.txt"
    app = create_app(db, token="t0ken")
    stop = threading.Event()
    seen: list[int] = []

    def reader(url):
        query = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/policy-kg/id/graph/haibin-sfj-2025> "
                 "{ ?s ?p ?o } }")
        with httpx.Client() as client:
            while not stop.is_set():
                r = client.get(url + "/sparql", params={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
                assert r.status_code == 200
                seen.append(int(r.json()["results"]["bindings"][0]["n"]["value"]))

    with serve_app(app) as url:
        thread = threading.Thread(target=reader, args=(url,))
        thread.start()
        try:
            with httpx.Client(timeout=120) as client:
                for _ in range(4):
                    r = client.post(url + "/reports", headers={"Authorization": "Bearer t0ken"},
                                    files={"file": ("haibin-sfj-2025.txt", report_file.read_bytes())},
                                    data={"id": "haibin-sfj-2025", "year": "2025", "agency": "海滨区司法局",
                                          "jurisdiction": "海滨区",
                                          "title": "云溪市海滨区司法局2025年法治政府建设年度报告"})
                    assert r.status_code == 201, r.text
        finally:
            stop.set()
            thread.join()
    db.close()
    # a reader sees the report absent (before the first ingest) or whole, never in between
    assert seen and len(set(seen) - {0}) == 1, sorted(set(seen))


def test_ingesting_the_same_report_twice_adds_nothing(tmp_path):
    db = open_store(tmp_path / "store")
    ingest_paths([EXAMPLES], db)
    first = db.select(COUNT)
    ingest_paths([EXAMPLES], db)
    assert db.select(COUNT) == first
    db.close()
