"""The benchmark runner works (a tiny run, not a measurement) and its corpus is reproducible."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import report, synthetic, synthetic_reports, write_corpus  # noqa: E402
from kg.parallel import ingest_paths_parallel, ingest_reports_parallel  # noqa: E402
from kg.read import discover, read_report  # noqa: E402
from kg.store import open_store  # noqa: E402


def test_corpus_is_seeded_and_streams_what_it_writes(tmp_path):
    assert report(7, seed=3) == report(7, seed=3)
    assert report(7, seed=3) != report(7, seed=4)
    assert list(synthetic(3, seed=3, start=5)) == [report(i, seed=3) for i in range(5, 8)]
    files, size = write_corpus(tmp_path, 5, seed=3)
    assert files == 5 and size > 0
    found, errors = discover([tmp_path])
    assert not errors and len(found) == 5
    for (path, meta), (gen_meta, text) in zip(found, synthetic(5, seed=3)):
        assert meta == gen_meta
        assert read_report(path, meta).text == text


def test_synthetic_reports_have_the_sizes_of_real_ones():
    """Rule-of-law reports and work summaries of 2,000–8,000 characters (the seeds: about 4,000),
    government work reports of 10,000–25,000 (../shared/corpus-dev: 9,800–24,200), both kinds."""
    sizes = {"work report": [], "other": []}
    for meta, text in synthetic(60, seed=1):
        sizes["work report" if meta.title.endswith("政府工作报告") else "other"].append(len(text))
    assert len(sizes["work report"]) >= 5 and len(sizes["other"]) >= 30
    assert all(10000 <= n <= 25000 for n in sizes["work report"]), sizes["work report"]
    assert all(2000 <= n <= 8000 for n in sizes["other"]), sizes["other"]
    assert 3000 < sum(sizes["other"]) / len(sizes["other"]) < 6000


def test_synthetic_reports_ingest_and_validate_with_real_fact_densities(tmp_path):
    """Every report validates; triples per character are those of real reports (the seeds 0.34
    and 0.48, corpus-dev 0.16–0.34), not the 0.4–0.9 of a report made only of facts."""
    reports = list(synthetic_reports(8, seed=2))
    store = open_store(tmp_path / "store")
    with store:
        summary = ingest_reports_parallel(reports, store, jobs=1)
    assert summary.ok, [o.error for o in summary.failed]
    length = {r.id: len(r.text) for r in reports}
    density = {o.report_id: o.triples / length[o.report_id] for o in summary.outcomes}
    assert all(0.15 < d < 0.6 for d in density.values()), density
    assert 0.2 < summary.triples / sum(len(r.text) for r in reports) < 0.5


def test_parallel_ingest_keeps_per_file_errors(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6, seed=5)
    (corpus / "empty.txt").write_text("", encoding="utf-8")          # not in the manifest: read, refused
    with (corpus / "manifest.csv").open("a", encoding="utf-8") as out:
        out.write("ghost,ghost.txt,,,,2025,\n")                        # a manifest row without its file
    store = open_store(tmp_path / "store")
    with store:
        summary = ingest_paths_parallel([corpus], store, jobs=2)
        graphs = store.graphs()
    assert len(summary.stored) == 6 and len(graphs) == 6
    [bad] = summary.failed
    assert bad.source.endswith("empty.txt") and "empty report" in bad.error
    assert any("ghost.txt is not there" in line for line in summary.errors)


@pytest.mark.skipif(shutil.which("true") is None, reason="needs a POSIX shell")
def test_runner_smoke(tmp_path):
    """bench/run --smoke: 20 reports generated, ingested, queried through the API and an
    Oxigraph server, bulk-loaded; the ratios printed and written as JSON."""
    pytest.importorskip("psutil")
    oxigraph = Path(sys.executable).parent / "oxigraph"
    skip = "" if oxigraph.exists() else "queries"
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "bench.runner", "--smoke", "--json", str(out), "--workdir", str(tmp_path / "work")]
    if skip:
        cmd += ["--skip", skip]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ingest_reports_per_s" in proc.stdout and "bulk_load_vs_pyoxigraph" in proc.stdout
    result = json.loads(out.read_text())
    ratios = result["ratios"]
    assert ratios["ingest_reports_per_s"] > 0
    assert ratios["bulk_load_vs_pyoxigraph"] > 0
    if not skip:
        assert ratios["api_vs_oxigraph_p50"] > 0
        assert set(result["queries"]["20"]["queries"]) >= {"documents", "targets", "agencies", "documents?report"}
        # /search over HTTP, a 2- and a 6-character query from the data, 15 requests each, on the index
        search = result["queries"]["20"]["search"]
        assert search["indexed"] and len(search["q2"]["q"]) == 2 and len(search["q6"]["q"]) == 6
        assert search["q6"]["q"].startswith(search["q2"]["q"])
        assert search["q2"]["n"] >= 15 and search["q6"]["n"] >= 15
        assert search["q2"]["hits"] >= search["q6"]["hits"] > 0
        assert ratios["search_p50_ms"] == round(max(search["q2"]["p50_ms"], search["q6"]["p50_ms"]), 2) > 0
        assert "search_p50_ms" in proc.stdout
    [run] = result["ingest"]["runs"]
    assert run["stored"] == 20 and run["failed"] == 0
    assert run["characters"] > 20 * 2000 and run["chars_per_s"] > 0 and run["triples_per_s"] > 0
    assert ratios["chars_per_s"] > 0 and ratios["triples_per_s"] > 0  # beside the keys it had


def test_stages_measure_every_stage_of_real_and_synthetic_reports(tmp_path):
    """bench.stages: characters/s and triples/s of each stage, CPU a report, peak memory; the
    extraction alone, best of its passes."""
    from bench.stages import STAGES, extraction, measure

    write_corpus(tmp_path / "corpus", 3, seed=4)
    r = measure([tmp_path / "corpus"], repeat=1)
    assert r["reports"] == 3 and r["characters"] > 3 * 2000 and r["triples"] > 0
    assert set(r["seconds"]) == set(STAGES)
    # what ingest runs now: N-Triples terms, their text, Oxigraph and the full-text index apart,
    # the progress checks after the batch and the final flush, each timed
    assert {"ntriples", "entries", "index", "progress", "flush"} <= set(STAGES)
    assert all(r["seconds"][s] > 0 for s in ("extract", "rdf", "shacl", "ntriples", "entries", "store", "index",
                                             "progress", "flush"))
    total = sum(r["seconds"].values())
    assert abs(r["total_cpu_seconds"] - total) < 0.01  # end to end counts every stage
    assert r["end_to_end_chars_per_s"] == pytest.approx(r["characters"] / total, rel=0.01)
    assert r["end_to_end_triples_per_s"] == pytest.approx(r["triples"] / total, rel=0.01)
    assert r["rdf_shacl_triples_per_s"] == pytest.approx(r["triples"] / (r["seconds"]["rdf"] + r["seconds"]["shacl"]),
                                                         rel=0.01)
    to_graph = sum(r["seconds"][s] for s in ("read", "segment", "extract", "resolve", "rdf", "shacl", "ntriples"))
    assert r["graph_chars_per_s"] == pytest.approx(r["characters"] / to_graph, rel=0.01)  # without the store
    assert r["extraction_chars_per_s"] > 0 and r["peak_mb"] > 0 and r["cpu_ms_per_report"] > 0
    with open_store(tmp_path / "store") as store:  # the triples timed are those ingest stores
        assert ingest_paths_parallel([tmp_path / "corpus"], store, jobs=1).triples == r["triples"]
    best = extraction([tmp_path / "corpus"], repeat=2)
    assert best["best_seconds"] == min(best["passes"]) and best["chars_per_s"] > 0


def test_stages_jobs_counts_the_cpu_of_every_ingest_process(tmp_path):
    """bench.stages --jobs 2: `kg ingest --jobs 2` in a fresh process; the CPU of the parent and
    its two workers is counted, and characters/s a core is characters over that CPU."""
    pytest.importorskip("psutil")
    from bench.stages import measure_jobs

    write_corpus(tmp_path / "corpus", 3, seed=4)
    r = measure_jobs([tmp_path / "corpus"], jobs=2)
    assert r["stored"] == 3 and r["failed"] == 0 and r["characters"] > 3 * 2000 and r["triples"] > 0
    assert r["processes"] >= 3  # kg ingest and its two workers
    assert r["cpu_seconds"] >= r["cpu_seconds_sampled"] > 0 and r["cpu_seconds"] >= r["cpu_seconds_reaped"]
    assert r["chars_per_cpu_s"] == pytest.approx(r["characters"] / r["cpu_seconds"], rel=0.01)
    assert r["peak_tree_mb"] > 0
    with open_store(tmp_path / "store") as store:
        assert ingest_paths_parallel([tmp_path / "corpus"], store, jobs=1).triples == r["triples"]
    (tmp_path / "broken").mkdir()
    with pytest.raises(RuntimeError, match="kg ingest"):  # no reports: one line, kg ingest's reason
        measure_jobs([tmp_path / "broken"], jobs=2)


def test_parallel_reingest_replaces_graphs(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4, seed=6)
    store = open_store(tmp_path / "store")
    with store:
        first = ingest_paths_parallel([corpus], store, jobs=1)
        count = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        again = ingest_paths_parallel([corpus], store, jobs=1)
        recount = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert first.ok and again.ok
    assert count == recount
    assert int(count["results"]["bindings"][0]["n"]["value"]) == first.triples


def test_progress_batch_recomputes_the_checks_ingest_wrote(tmp_path, capsys):
    """bench/progress_batch.py drops a store copy's progress graphs and recomputes them for every
    report: the same quads and index rows as the ones ingest wrote (compared by their digests)."""
    from bench import progress_batch
    from kg.ingest import ingest_paths

    store = open_store(tmp_path / "store")
    assert ingest_paths([ROOT / "examples"], store).ok
    store.close()
    assert progress_batch.main([str(tmp_path / "store"), str(tmp_path / "first")]) == 0
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first["progress_quads"] > 0 and first["index_rows"] > 0 and first["said"] == ""
    assert first["as_before"] is True
    # the copy (its graphs dropped and recomputed) as the source of a second run: the same again
    assert progress_batch.main([str(tmp_path / "first"), str(tmp_path / "second")]) == 0
    second = json.loads(capsys.readouterr().out.splitlines()[0])
    assert second["as_before"] is True and second["digest"] == first["digest"]


def test_corpus_of_short_reports(tmp_path):
    """``python -m bench.corpus --chars`` makes every report about that long (both kinds), and
    leaves the realistic lengths as they were for what runs next."""
    from bench import corpus

    lengths = corpus.SEED_LIKE_CHARS, corpus.WORK_REPORT_CHARS
    assert corpus.main([str(tmp_path), "-n", "40", "--chars", "600,900,1400"]) == 0
    texts = [p.read_text(encoding="utf-8") for p in tmp_path.glob("*.txt")]
    assert len(texts) == 40 and all(500 <= len(t) <= 1400 for t in texts), sorted(map(len, texts))
    assert (corpus.SEED_LIKE_CHARS, corpus.WORK_REPORT_CHARS) == lengths
    found, errors = discover([tmp_path])
    assert not errors and len(found) == 40
