"""The cost of the progress checks after a batch (kg.progress.refresh_after), small store and big.

    .venv/bin/python -m bench.progress_bench [--dev FOLDER] [--others 1000] [--workdir DIR] [--profile]

CPU seconds of ``refresh_after`` for the reports of one batch, best of ``--repeat``, for two
batches: the development set (``../shared/corpus-dev``, 10 work reports of 10 bodies, one year
each: nothing to check) and ``--pairs`` synthetic reports in pairs of consecutive years of one
body (each pair gives checks), each ingested

1. into a fresh store;
2. into a store that already holds ``--others`` synthetic reports of other bodies (bench/corpus.py,
   in pairs of consecutive years so that they have checks of their own). That store is built once
   (without SHACL: the checks only read what is stored) and kept in ``--workdir``; each run
   copies it.

The cost should follow the bodies the batch touched, not the size of the store: the numbers of
one batch about equal. ``--profile`` prints the top of a cProfile of one call on the big store.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.ingest import ingest_paths, ingest_report  # noqa: E402
from kg.progress import refresh_after  # noqa: E402
from kg.store import open_store  # noqa: E402

DEV = ROOT.parent / "shared" / "corpus-dev"
SEED = 7  # the others' corpus (any seed: its bodies are made-up cities and districts)
PAIRS_SEED = 11  # the paired batch: other made-up bodies than the others'



def timed(store, ids: list[str], repeat: int) -> tuple[float, float]:
    """(CPU s, wall s) of ``refresh_after(store, ids)``, the best of ``repeat`` calls."""
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        problem = refresh_after(store, ids)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
        if problem:
            raise SystemExit(problem)
    return min(cpu), min(wall)


def others_store(workdir: Path, count: int) -> Path:
    """A store holding ``count`` synthetic reports and their checks, built once in ``workdir``."""
    import hashlib

    from bench.corpus import consecutive
    from kg.read import Report

    folder = workdir / f"progress-others-{count}"
    if (folder / "done").is_file():
        return folder / "store"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    with open_store(folder / "store") as store:
        ids = []
        for meta, text in consecutive(count, SEED):
            report = Report(meta=meta, text=text, path=f"{meta.id}.txt",
                            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
            outcome = ingest_report(store, report, shacl=False)
            if outcome.stored:
                ids.append(meta.id)
        refresh_after(store, ids)
    (folder / "done").write_text(f"{len(ids)}\n", encoding="utf-8")
    print(f"built {folder} ({len(ids)} reports, {time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return folder / "store"


def batch(store, dev: Path) -> list[str]:
    summary = ingest_paths([dev], store)
    if not summary.ok:
        raise SystemExit("; ".join(summary.errors + [o.error for o in summary.failed]))
    return [o.report_id for o in summary.stored]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV, help="the batch (default ../shared/corpus-dev)")
    parser.add_argument("--others", type=int, default=1000, help="synthetic reports already in the big store")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/policy-kg-bench"))
    parser.add_argument("--pairs", type=int, default=20, help="reports of the paired batch (0: none)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile one call on the big store")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        batches = {"corpus-dev": args.dev}
        if args.pairs > 0:
            from bench.corpus import write_corpus

            write_corpus(Path(tmp) / "pairs", args.pairs, PAIRS_SEED, pairs=True)
            batches[f"{args.pairs} paired reports"] = Path(tmp) / "pairs"
        for name, folder in batches.items():
            with open_store(Path(tmp) / f"small-{len(name)}") as store:
                ids = batch(store, folder)
                cpu, wall = timed(store, ids, args.repeat)
            print(f"{name}, fresh store: refresh_after {cpu:.3f} s CPU ({wall:.3f} s wall)")
            if args.others <= 0:
                continue
            big = Path(tmp) / "big"
            shutil.rmtree(big, ignore_errors=True)
            shutil.copytree(others_store(args.workdir, args.others), big)
            with open_store(big) as store:
                ids = batch(store, folder)
                cpu, wall = timed(store, ids, args.repeat)
                print(f"{name}, beside {args.others} other reports: refresh_after {cpu:.3f} s CPU ({wall:.3f} s wall)")
                if args.profile:
                    profile = cProfile.Profile()
                    profile.runcall(refresh_after, store, ids)
                    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
