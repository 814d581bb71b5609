"""Stage by stage, in one process, what ``kg ingest`` runs: read, segment, extract (spaCy
components and facts), resolve, RDF (N-Triples terms), SHACL, N-Triples text, the full-text
index rows (made where the graph is built), the store write (Oxigraph), the full-text index
insert, the progress checks and the final flush; over a folder of
reports (by default ``../shared/corpus-dev``). ``--jobs N``: ``kg ingest --jobs N`` on the same
folders in a fresh process, the CPU of all its processes counted.

    python -m bench.stages [FOLDER ...] [--repeat N] [--profile extract] [--json]
    python -m bench.stages --extraction [FOLDER ...]     # segment+extract+resolve alone, best of 5
    python -m bench.stages --jobs 2 [FOLDER ...]         # kg ingest --jobs 2, characters/s a core

Each stage is timed alone (CPU seconds of this process) after one warm-up pass, so the numbers
are characters/s and triples/s a core; ``--profile STAGE`` prints cProfile's top functions of
that stage (``extraction`` = segment + extract + resolve). End-to-end numbers count every stage;
``graph_chars_per_s`` counts the stages up to the validated graph's text (read to ``ntriples``:
what the issue's "end to end with SHACL" measured, without the store).
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEV = ROOT.parent / "shared" / "corpus-dev"
# In the order ingest runs them: per report (kg.parallel.extract_report: kg.ingest.report_triples_of,
# kg.graph.validate.validate_triples, ReportTriples.ntriples, kg.search.prepared_entries), then per
# batch of kg.parallel.WRITE_BATCH reports (EmbeddedStore.bulk_replace: Oxigraph's write, then
# kg.search.SearchIndex.replace), then once a batch: kg.ingest.recompute_progress, and the store's
# close (its final flush).
STAGES = ("read", "segment", "extract", "resolve", "rdf", "shacl", "ntriples", "entries", "store", "index",
          "progress", "flush")
PER_REPORT = STAGES[:8]
TO_GRAPH = STAGES[:7]  # read → the validated graph's N-Triples


def measure(folders: list[Path], repeat: int = 1, profile: str = "", shacl: bool = True) -> dict:
    """Seconds (CPU) per stage over every report of ``folders``, characters and triples.

    The store write is ``EmbeddedStore.bulk_replace`` of batches of ``WRITE_BATCH`` reports, as
    the batch writer calls it, with the store's full-text index set aside for the call (so the
    ``store`` stage is Oxigraph's write, flushes every ``FLUSH_EVERY_QUADS`` included); the
    ``index`` stage is that same index's ``SearchIndex.replace`` of the batch, the call
    ``bulk_replace`` makes once the graphs are stored."""
    import cProfile
    import pstats

    from kg.authority import default_authority
    from kg.extract import extract
    from kg.ingest import Outcome, Summary, recompute_progress
    from kg.limits import Budget
    from kg.parallel import WRITE_BATCH
    from kg.graph.rdf import build_triples
    from kg.read import discover, read_report
    from kg.resolve import resolve
    from kg.extract.segment import segment
    from kg.search import prepared_entries
    from kg.store import EmbeddedStore, PreparedGraph
    from kg.graph.validate import validate_triples
    from kg.graph.vocab import report_graph

    found, _ = discover(folders)
    authority = default_authority()
    seconds = dict.fromkeys(STAGES, 0.0)
    profiler = cProfile.Profile() if profile else None
    profiled = set(profile.split(",")) | ({"segment", "extract", "resolve"} if profile == "extraction" else set())
    chars = triples = reports = 0
    failed: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="policy-kg-stages-"))
    try:
        for run in range(repeat + 1):  # run 0 warms up (pipeline built, patterns compiled, shapes compiled)
            clock = dict.fromkeys(STAGES, 0.0)

            def timed(stage, fn, *args, **kw):
                if profiler and stage in profiled:
                    profiler.enable()
                t = time.process_time()
                out = fn(*args, **kw)
                clock[stage] += time.process_time() - t
                if profiler and stage in profiled:
                    profiler.disable()
                return out

            store = EmbeddedStore(workdir / f"store-{run}")
            summary = Summary()
            batch: list[tuple[str, PreparedGraph]] = []

            def write() -> None:
                index, store._search = store._search, None  # Oxigraph alone, then the index
                try:
                    timed("store", store.bulk_replace, batch, isolated=False)  # as batch ingest writes
                finally:
                    store._search = index
                timed("index", index.replace, [(iri, graph.entries) for iri, graph in batch])
                batch.clear()

            n_chars = n_triples = 0
            for path, meta in found:
                report = timed("read", read_report, path, meta)
                budget = Budget.from_env()
                seg = timed("segment", segment, report.text, report.meta.year, report.meta.title)
                ex = timed("extract", extract, report, seg, budget)
                res = timed("resolve", resolve, ex, authority)
                built = timed("rdf", build_triples, ex, res)
                if shacl:
                    verdict = timed("shacl", validate_triples, built)
                    if not verdict.conforms:
                        failed.append(f"{path}: {verdict.summary()}")
                        continue
                nt = timed("ntriples", built.ntriples)
                rows = timed("entries", prepared_entries, built)
                batch.append((str(report_graph(report.id)), PreparedGraph(nt, rows)))
                summary.outcomes.append(Outcome(source=str(path), report_id=report.id, triples=len(built), stored=True))
                n_chars += len(report.text)
                n_triples += len(built)
                if len(batch) >= WRITE_BATCH:
                    write()
            if batch:
                write()
            timed("progress", recompute_progress, store, summary)
            timed("flush", store.close)  # the final flush (and the index closed)
            if run:
                for stage, s in clock.items():
                    seconds[stage] += s
                chars += n_chars
                triples += n_triples
                reports += len(summary.outcomes)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = {"reports": reports, "characters": chars, "triples": triples,
           "seconds": {k: round(v, 4) for k, v in seconds.items()}}
    if failed:
        out["not_stored"] = sorted(set(failed))[:5]
    extraction = seconds["segment"] + seconds["extract"] + seconds["resolve"]
    out["extraction_chars_per_s"] = round(chars / extraction) if extraction else None
    total = sum(seconds.values())
    out["total_cpu_seconds"] = round(total, 4)
    out["end_to_end_chars_per_s"] = round(chars / total) if total else None
    out["end_to_end_triples_per_s"] = round(triples / total) if total else None
    to_graph = sum(seconds[k] for k in TO_GRAPH)
    out["graph_chars_per_s"] = round(chars / to_graph) if to_graph else None
    rdf_shacl = seconds["rdf"] + seconds["shacl"]
    out["rdf_shacl_triples_per_s"] = round(triples / rdf_shacl) if rdf_shacl else None
    out["chars_per_s"] = {k: round(chars / v) if v else None for k, v in seconds.items()}
    out["triples_per_s"] = {k: round(triples / v) if v else None for k, v in seconds.items()}
    out["cpu_ms_per_report"] = round(total / reports * 1000, 1) if reports else None
    out["peak_mb"] = peak_mb()
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return out


_COUNTS = re.compile(r"(\d+) reports stored, (\d+) failed, (\d+) triples")


def measure_jobs(folders: list[Path], jobs: int = 2) -> dict:
    """``kg ingest FOLDERS --jobs N`` into a new store, in a fresh process: wall seconds, the CPU
    of all its processes (the parent and its workers: the last CPU time psutil saw of each, or
    the kernel's count of reaped children when that is larger), peak memory of the tree, and
    characters/s a core = characters / CPU seconds."""
    from bench.measure import PeakMemory, loadavg
    from kg.read import discover, read_report

    found, _ = discover(folders)
    chars = 0
    for path, meta in found:  # counted before the clock starts, as bench.runner's ingest runs do
        try:
            chars += len(read_report(path, meta).text)
        except Exception:  # noqa: BLE001 - a report ingest refuses is not counted
            pass
    kg = Path(sys.executable).parent / "kg"
    workdir = Path(tempfile.mkdtemp(prefix="policy-kg-jobs-"))
    cmd = [str(kg) if kg.exists() else sys.executable, *([] if kg.exists() else ["-m", "kg.cli"]),
           "ingest", *map(str, folders), "--store", str(workdir / "store"), "--jobs", str(jobs), "--quiet"]
    load0 = loadavg()
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with PeakMemory() as memory:
            t = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            seconds = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"kg ingest --jobs {jobs} failed: {proc.stderr.strip()[-500:]}")
    counts = _COUNTS.search(proc.stderr)
    if not counts:
        raise RuntimeError(f"kg ingest gave no count line: {proc.stderr.strip()[-500:]}")
    stored, failed, triples = map(int, counts.groups())
    reaped = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    sampled = memory.children_cpu_s
    cpu = max(reaped, sampled)
    return {"jobs": jobs, "reports": stored + failed, "stored": stored, "failed": failed, "characters": chars,
            "triples": triples, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "cpu_seconds_sampled": round(sampled, 3), "cpu_seconds_reaped": round(reaped, 3),
            "processes": len(memory.child_cpu),
            "chars_per_s": round(chars / seconds), "chars_per_cpu_s": round(chars / cpu) if cpu else None,
            "triples_per_cpu_s": round(triples / cpu) if cpu else None,
            "cpu_ms_per_report": round(cpu / max(stored + failed, 1) * 1000, 1),
            "peak_tree_mb": round(memory.peak_tree_mb, 1), "loadavg_before": load0, "loadavg_after": loadavg()}


def peak_mb() -> float | None:
    """This process's peak resident memory (VmHWM), MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def extraction(folders: list[Path], repeat: int = 5) -> dict:
    """Extraction alone (segment → extract → resolve), the reports read once: the best of
    ``repeat`` passes after a warm-up, in CPU seconds of this process, and characters/s."""
    from kg.authority import default_authority
    from kg.extract import extract
    from kg.limits import Budget
    from kg.read import discover, read_report
    from kg.resolve import resolve
    from kg.extract.segment import segment

    found, _ = discover(folders)
    reports = [read_report(path, meta) for path, meta in found]
    authority = default_authority()
    passes = []
    for _ in range(repeat + 1):
        t = time.process_time()
        for report in reports:
            seg = segment(report.text, report.meta.year, report.meta.title)
            resolve(extract(report, seg, Budget.from_env()), authority)
        passes.append(time.process_time() - t)
    best = min(passes[1:])
    chars = sum(len(r.text) for r in reports)
    return {"reports": len(reports), "characters": chars, "best_seconds": round(best, 4),
            "passes": [round(p, 4) for p in passes[1:]], "chars_per_s": round(chars / best)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stages")
    parser.add_argument("folders", nargs="*", default=[str(DEV)])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", default="", help="a stage (or several, comma-separated), or 'extraction'")
    parser.add_argument("--no-shacl", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--extraction", action="store_true",
                        help="only segment+extract+resolve, best of --repeat passes (default 5)")
    parser.add_argument("--jobs", type=int, default=0,
                        help="run `kg ingest --jobs N` on the folders in a fresh process; CPU of all its processes")
    a = parser.parse_args(argv)
    if a.jobs:
        r = measure_jobs([Path(f) for f in a.folders], a.jobs)
        print(json.dumps(r) if a.json else
              f"kg ingest --jobs {r['jobs']}: {r['stored']} reports stored ({r['failed']} failed), "
              f"{r['characters']:,} characters, {r['triples']:,} triples in {r['seconds']} s, "
              f"{r['cpu_seconds']} s CPU in {r['processes']} processes = {r['chars_per_cpu_s']:,} characters/s a "
              f"core ({r['chars_per_s']:,} characters/s wall), peak {r['peak_tree_mb']} MB")
        return 0
    if a.extraction:
        r = extraction([Path(f) for f in a.folders], max(a.repeat, 5) if a.repeat == 1 else a.repeat)
        print(json.dumps(r) if a.json else f"extraction: {r['reports']} reports, {r['characters']:,} characters, "
              f"best pass {r['best_seconds']} s CPU = {r['chars_per_s']:,} characters/s (passes {r['passes']})")
        return 0
    r = measure([Path(f) for f in a.folders], a.repeat, a.profile, not a.no_shacl)
    if a.json:
        print(json.dumps(r))
        return 0
    print(f"{r['reports']} reports, {r['characters']} characters, {r['triples']} triples "
          f"({r['cpu_ms_per_report']} ms CPU a report)")
    for stage in STAGES:
        s = r["seconds"][stage]
        print(f"  {stage:8s} {s:7.3f} s  {r['chars_per_s'][stage] or 0:>12,} chars/s  "
              f"{r['triples_per_s'][stage] or 0:>10,} triples/s")
    print(f"  extraction (segment+extract+resolve) {r['extraction_chars_per_s']:,} chars/s; RDF + SHACL "
          f"{r['rdf_shacl_triples_per_s']:,} triples/s; read to the validated graph's text "
          f"{r['graph_chars_per_s']:,} chars/s; end to end (every stage) "
          f"{r['end_to_end_chars_per_s']:,} chars/s, {r['end_to_end_triples_per_s']:,} triples/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
