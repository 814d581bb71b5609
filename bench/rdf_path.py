"""RDF build and SHACL validation, old path against new, side by side in one process.

    .venv/bin/python -m bench.rdf_path                      # seeds + development set from ../shared
    .venv/bin/python -m bench.rdf_path --json out.json --repeat 5 FOLDER...

Each report is read, extracted and resolved once (not measured); then every variant runs over
all reports, ``--repeat`` times, and its best CPU time (``time.process_time``: the machine is
shared, wall time is not this process's) gives triples per CPU second:

build     rdflib Graph + its N-Triples (the old path: the store takes N-Triples) | N-Triples terms
          (kg.graph.rdf.build_triples) + their text (the new path)
validate  pyshacl (the reference, one run) | pyshacl-turbo on the rdflib graph (old serial
          ingest) | pyshacl-turbo on N-Triples text (old parallel ingest) | pyrudof (when
          installed) | compiled shapes on N-Triples terms (kg.graph.shacl_compiled: the new path)
both      old serial, old parallel and new: build + validate, as ingest runs them
end to end  kg.parallel.extract_report (read report → segment, extract, resolve, N-Triples
          build, compiled validation, N-Triples text: a worker's whole job but the store
          write), after a warm-up pass: characters and triples per CPU second
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT.parent / "shared" / "corpus", ROOT.parent / "shared" / "corpus-dev"]


def prepared(folders: list[Path]) -> list:
    from kg.authority import default_authority
    from kg.extract import extract
    from kg.read import discover, read_report
    from kg.resolve import resolve

    authority = default_authority()
    items = []
    for folder in folders:
        found, errors = discover([folder])
        for path, meta in found:
            extraction = extract(read_report(path, meta))
            items.append((extraction, resolve(extraction, authority)))
    return items


def best_cpu(fn, repeat: int) -> tuple[float, object]:
    """(least CPU seconds of ``repeat`` runs, the last run's value)."""
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        value = fn()
        best = min(best, time.process_time() - start)
    return best, value


def measure(items: list, repeat: int, with_pyshacl: bool = True) -> dict:
    from kg.graph.rdf import build_graph, build_triples
    from kg.graph.validate import _compiled, _pyshacl_report, compiled_validator, load_shapes, validate

    shapes = load_shapes()
    validator = compiled_validator(shapes)
    _compiled(shapes)  # both engines' shapes compiled before any clock starts

    def old_build():
        graphs = [build_graph(ex, res) for ex, res in items]
        return graphs, [g.serialize(format="nt", encoding="utf-8") for g in graphs]

    def new_build():
        built = [build_triples(ex, res) for ex, res in items]
        return built, [t.ntriples() for t in built]

    t_old_build, (graphs, texts) = best_cpu(old_build, repeat)
    t_new_build, (built, new_texts) = best_cpu(new_build, repeat)
    triples = sum(len(g) for g in graphs)
    assert triples == sum(len(t) for t in built)

    validators = {
        "turbo on the rdflib graph (old serial ingest)":
            lambda: [validate(g, shapes, "turbo").conforms for g in graphs],
        "turbo on N-Triples text (old parallel ingest)":
            lambda: [validate(g, shapes, "turbo", ntriples=nt).conforms for g, nt in zip(graphs, texts)],
        "compiled shapes on N-Triples terms (new)":
            lambda: [not validator.results(t) for t in built],
    }
    try:
        import pyrudof  # noqa: F401

        validators["pyrudof"] = _pyrudof(shapes, new_texts)
    except ImportError:
        pass
    times = {}
    for name, run in validators.items():
        times[name], verdicts = best_cpu(run, repeat)
        assert all(verdicts), f"{name}: a report does not conform"
    if with_pyshacl:
        times["pyshacl (reference)"], _ = best_cpu(lambda: [_pyshacl_report(g, shapes) for g in graphs], 1)

    per_s = lambda seconds: triples / seconds  # noqa: E731
    old_serial = t_old_build + times["turbo on the rdflib graph (old serial ingest)"]
    old_parallel = t_old_build + times["turbo on N-Triples text (old parallel ingest)"]
    new = t_new_build + times["compiled shapes on N-Triples terms (new)"]
    return {
        "reports": len(items), "triples": triples, "repeat": repeat,
        "build": {"rdflib Graph + N-Triples (old)": _row(t_old_build, triples),
                  "N-Triples terms + text (new)": _row(t_new_build, triples)},
        "validate": {name: _row(seconds, triples) for name, seconds in times.items()},
        "both": {"old serial ingest": _row(old_serial, triples), "old parallel ingest": _row(old_parallel, triples),
                 "new": _row(new, triples)},
        "speedup_both_vs_old_serial": old_serial / new, "speedup_both_vs_old_parallel": old_parallel / new,
        "triples_per_s_both_new": per_s(new),
    }


def end_to_end(items: list, repeat: int) -> dict:
    """kg.parallel.extract_report over the reports of ``items`` (their Report objects), one
    warm-up pass, then the best CPU time of ``repeat`` passes."""
    from kg.authority import default_authority
    from kg.parallel import Settings, extract_report

    reports = [extraction.report for extraction, _ in items]
    settings = Settings(default_authority(), True, None)
    run = lambda: [extract_report(report, settings) for report in reports]  # noqa: E731
    warm = run()
    failed = [r.error for r in warm if r.error]
    assert not failed, failed
    seconds, results = best_cpu(run, repeat)
    chars, triples = sum(len(r.text) for r in reports), sum(r.triples for r in results)
    return {"reports": len(reports), "characters": chars, "triples": triples, "cpu_s": round(seconds, 4),
            "chars_per_s": round(chars / seconds), "triples_per_s": round(triples / seconds)}


def _pyrudof(shapes, texts):
    """pyrudof's SHACL validator over the same N-Triples, shapes read once (Turtle)."""
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(shapes.serialize(format="turtle"), pyrudof.ShaclFormat.Turtle)

    def run():
        verdicts = []
        for text in texts:
            rudof.reset_data()
            rudof.read_data(text.decode("utf-8"), pyrudof.RDFFormat.NTriples)
            report = rudof.validate_shacl()
            verdicts.append(report.conforms() if callable(report.conforms) else report.conforms)
        return verdicts
    return run


def _row(seconds: float, triples: int) -> dict:
    return {"cpu_s": round(seconds, 4), "triples_per_s": round(triples / seconds)}


def table(result: dict) -> str:
    lines = [f"{result['reports']} reports, {result['triples']:,} triples; best CPU time of {result['repeat']} runs",
             "", "| stage | variant | CPU s | triples/s |", "|---|---|---:|---:|"]
    for stage in ("build", "validate", "both"):
        for name, row in result[stage].items():
            lines.append(f"| {stage} | {name} | {row['cpu_s']:.3f} | {row['triples_per_s']:,} |")
    lines.append("")
    lines.append(f"new RDF + validation: {result['triples_per_s_both_new']:,.0f} triples/s a core, "
                 f"{result['speedup_both_vs_old_serial']:.1f}x the old serial path, "
                 f"{result['speedup_both_vs_old_parallel']:.1f}x the old parallel path")
    e2e = result.get("extract_report")
    if e2e:
        lines.append(f"end to end (kg.parallel.extract_report, with SHACL, no store): {e2e['cpu_s']:.3f} CPU s, "
                     f"{e2e['chars_per_s']:,} characters/s, {e2e['triples_per_s']:,} triples/s a core")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, help="report folders (default: seeds + corpus-dev)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pyshacl", action="store_true", help="skip the (slow) reference engine")
    parser.add_argument("--json", type=Path, help="write the numbers here too")
    args = parser.parse_args(argv)
    folders = args.folders or [f for f in DEFAULT if f.is_dir()]
    if not folders:
        print("no report folders (give some, or put ../shared next to the project)", file=sys.stderr)
        return 2
    items = prepared(folders)
    result = measure(items, args.repeat, with_pyshacl=not args.no_pyshacl)
    result["extract_report"] = end_to_end(items, args.repeat)
    result["folders"] = [str(f) for f in folders]
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
