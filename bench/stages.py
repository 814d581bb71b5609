"""Stage by stage, in one process: read, segment, extract (spaCy components and facts), resolve,
RDF, SHACL and store, over a folder of reports (by default ``../shared/corpus-dev``).

    python -m bench.stages [FOLDER ...] [--repeat N] [--profile extract] [--json]
    python -m bench.stages --extraction [FOLDER ...]     # segment+extract+resolve alone, best of 5

Each stage is timed alone (CPU seconds of this process) after one warm-up pass, so the numbers
are characters/s and triples/s a core; ``--profile STAGE`` prints cProfile's top functions of
that stage (``extraction`` = segment + extract + resolve).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEV = ROOT.parent / "shared" / "corpus-dev"
STAGES = ("read", "segment", "extract", "resolve", "rdf", "shacl", "store")


def measure(folders: list[Path], repeat: int = 1, profile: str = "", shacl: bool = True) -> dict:
    """Seconds (CPU) per stage over every report of ``folders``, characters and triples."""
    import cProfile
    import pstats

    from kg.authority import default_authority
    from kg.extract import extract
    from kg.limits import Budget
    from kg.rdf import build_graph
    from kg.read import discover, read_report
    from kg.resolve import resolve
    from kg.segment import segment
    from kg.store import open_store
    from kg.validate import validate
    from kg.vocab import report_graph

    found, _ = discover(folders)
    authority = default_authority()
    seconds = dict.fromkeys(STAGES, 0.0)
    profiler = cProfile.Profile() if profile else None
    chars = triples = reports = 0
    workdir = Path(tempfile.mkdtemp(prefix="policy-kg-stages-"))
    try:
        for run in range(repeat + 1):  # run 0 warms up (pipeline built, patterns compiled)
            store = open_store(workdir / f"store-{run}")
            for path, meta in found:
                clock = {}

                def timed(stage, fn, *args, **kw):
                    if profiler and stage in profile.split(",") or profile == "extraction" and stage in (
                            "segment", "extract", "resolve"):
                        profiler.enable()
                    t = time.process_time()
                    out = fn(*args, **kw)
                    clock[stage] = time.process_time() - t
                    if profiler:
                        profiler.disable()
                    return out

                report = timed("read", read_report, path, meta)
                seg = timed("segment", segment, report.text, report.meta.year, report.meta.title)
                ex = timed("extract", extract, report, seg, Budget.from_env())
                res = timed("resolve", resolve, ex, authority)
                graph = timed("rdf", build_graph, ex, res)
                nt = graph.serialize(format="nt", encoding="utf-8")
                if shacl:
                    timed("shacl", validate, graph, ntriples=nt)
                timed("store", store.bulk_replace, [(str(report_graph(report.id)), nt)])
                if run:
                    for stage, s in clock.items():
                        seconds[stage] += s
                    chars += len(report.text)
                    triples += len(graph)
                    reports += 1
            store.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = {"reports": reports, "characters": chars, "triples": triples,
           "seconds": {k: round(v, 4) for k, v in seconds.items()}}
    extraction = seconds["segment"] + seconds["extract"] + seconds["resolve"]
    out["extraction_chars_per_s"] = round(chars / extraction) if extraction else None
    total = sum(seconds.values())
    out["end_to_end_chars_per_s"] = round(chars / total) if total else None
    out["end_to_end_triples_per_s"] = round(triples / total) if total else None
    out["chars_per_s"] = {k: round(chars / v) if v else None for k, v in seconds.items()}
    out["triples_per_s"] = {k: round(triples / v) if v else None for k, v in seconds.items()}
    out["cpu_ms_per_report"] = round(total / reports * 1000, 1) if reports else None
    out["peak_mb"] = peak_mb()
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return out


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
    from kg.segment import segment

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
    a = parser.parse_args(argv)
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
    print(f"  extraction (segment+extract+resolve) {r['extraction_chars_per_s']:,} chars/s; end to end "
          f"{r['end_to_end_chars_per_s']:,} chars/s, {r['end_to_end_triples_per_s']:,} triples/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
