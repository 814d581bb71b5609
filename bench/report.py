"""Markdown tables from a results file of bench/run --json (for BENCHMARKS.md).

    python -m bench.report results.json [more.json …] > tables.md

Several files (sections of one benchmark run in parts) are merged, later sections winning;
the headline ratios are computed again from the merged results.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

GOALS = {"ingest_reports_per_s": (">=", 100, "ingest, reports/s, SHACL on, 2 processes (largest size)"),
         "api_vs_oxigraph_p50": ("<=", 1.3, "API p50 / Oxigraph server p50, worst named query (largest size)"),
         "vs_rdflib_memory": (">=", 20, "rdflib in memory p50 / API p50, one-document lookup"),
         "vs_rdflib_endpoint_rps": (">=", 10, "API req/s / rdflib-endpoint req/s, lookup, 10 connections"),
         "bulk_load_vs_pyoxigraph": ("<=", 1.2, "EmbeddedStore.bulk_load / pyoxigraph bulk_load, 1M triples")}


def f(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value != value:
        return "—"
    return f"{value:,.{digits}f}"


def tables(result: dict) -> str:
    out: list[str] = []
    m, v = result["machine"], result["versions"]
    out.append(f"Run: {result['date']}; {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['os']}; "
               f"load average {f(result.get('loadavg_start'), 2)} at the start, {f(result.get('loadavg_end'), 2)} at the end; "
               f"{f(result.get('seconds', 0) / 60, 0)} minutes in all.  ")
    out.append("Versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val) + ".")
    out.append("")
    r = result.get("ratios", {})
    out.append("| headline | measured | goal | met? |")
    out.append("|---|---:|---:|---|")
    for key, (op, goal, what) in GOALS.items():
        value = r.get(key)
        met = "—" if value is None else ("yes" if (value >= goal if op == ">=" else value <= goal) else "**no**")
        out.append(f"| `{key}`: {what} | {f(value, 2)} | {op} {goal} | {met} |")
    out.append("")
    if "validation" in result:
        out.append("**SHACL, one graph at a time (median ms)**")
        out.append("")
        out.append("| graph | pyshacl (before) | pyshacl inplace | pyshacl-turbo, shapes each call | turbo, shapes compiled once | compiled + N-Triples input (after) | speed-up | same lines |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---|")
        for row in result["validation"]["rows"]:
            out.append(f"| {row['graph']} | {f(row['pyshacl_ms'])} | {f(row['pyshacl_inplace_ms'])} | "
                       f"{f(row['turbo_uncompiled_ms'], 2)} | {f(row['turbo_compiled_ms'], 2)} | "
                       f"{f(row['turbo_compiled_nt_ms'], 2)} | {f(row['speedup'], 0)}× | {row['same_verdicts']} |")
        out.append("")
    if "ingest" in result:
        out.append("**Ingest, end to end (read → extract → RDF → SHACL → store), each run a fresh process**")
        out.append("")
        out.append("| reports | triples | mode | processes | SHACL | engine | reports/s | MB/s | CPU ms / report | peak RSS, all processes (MB) | peak RSS, writer (MB) | load avg before | failed |")
        out.append("|---:|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for run in result["ingest"]["runs"]:
            out.append(f"| {run['size']:,} | {run['triples']:,} | {run['mode']} | {run['jobs']} | "
                       f"{'on' if run['shacl'] else 'off'} | {run['engine']} | {f(run['reports_per_s'])} | "
                       f"{f(run['mb_per_s'], 2)} | {f(run['cpu_ms_per_report'])} | {f(run['peak_tree_mb'], 0)} | "
                       f"{f(run['peak_main_mb'], 0)} | {f(run['loadavg_before'], 1)} | {run['failed']} |")
        out.append("")
    for size, q in sorted(result.get("queries", {}).items(), key=lambda kv: int(kv[0])):
        out.append(f"**Named queries at {int(size):,} reports: p50 / p99 in ms** (answers capped at 10,000 rows "
                   "for everyone; `documents?report` is the one-document lookup)")
        out.append("")
        out.append("| query | API | Oxigraph server | API / Oxigraph p50 | CLI (`kg query`, new process) | rdflib in memory | rdflib-endpoint |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for name, row in q["queries"].items():
            def cell(key):
                c = row.get(key)
                return "—" if not c else f"{f(c['p50_ms'])} / {f(c['p99_ms'])}"
            ratio = (row["api"]["p50_ms"] / row["oxigraph"]["p50_ms"]) if row.get("api") and row.get("oxigraph") else None
            out.append(f"| `{name}` | {cell('api')} | {cell('oxigraph')} | {f(ratio, 2)} | {cell('cli')} | "
                       f"{cell('rdflib')} | {cell('rdflib_endpoint')} |")
        out.append("")
        if q.get("load"):
            out.append(f"*Under load, one-document lookup, {int(size):,} reports*")
            out.append("")
            out.append("| server | connections | req/s | p50 ms | p99 ms | errors | tool |")
            out.append("|---|---:|---:|---:|---:|---:|---|")
            for key, value in q["load"].items():
                server, _, conns = key.rpartition("_")
                out.append(f"| {server} | {conns} | {f(value['rps'])} | {f(value['p50_ms'])} | {f(value['p99_ms'])} | "
                           f"{value.get('errors', 0)} | {value.get('tool', '')} |")
            out.append("")
        if q.get("rdflib_load_seconds"):
            out.append(f"rdflib: {q.get('triples', 0):,} quads parsed in {f(q['rdflib_load_seconds'])} s, "
                       f"{f(q.get('rdflib_peak_mb'), 0)} MB resident.")
            out.append("")
    s = result.get("store")
    if s:
        out.append(f"**Store: bulk load of {s['quads']:,} quads ({s['bytes'] / 2**20:.0f} MB of N-Quads, {s['graphs']:,} graphs), median seconds**")
        out.append("")
        out.append("| path | seconds | vs pyoxigraph `Store.bulk_load` |")
        out.append("|---|---:|---:|")
        base = s["pyoxigraph_bulk_load_s"]
        for label, key in (("pyoxigraph `Store.bulk_load` (anchor)", "pyoxigraph_bulk_load_s"),
                           ("`EmbeddedStore.bulk_load` (file, not transactional)", "store_bulk_load_s"),
                           ("`EmbeddedStore.bulk_replace`, 64 graphs a transaction (the batch-ingest writer)", "store_bulk_replace_s"),
                           ("`replace_graph` style SPARQL update per graph (extrapolated from a sample)", "replace_graph_update_s_extrapolated")):
            out.append(f"| {label} | {f(s[key], 2)} | {f(s[key] / base, 2)}× |")
        out.append("")
    e = result.get("export")
    if e:
        out.append("**Export: GEXF (view all) of the stores**")
        out.append("")
        if "skipped" in e:
            out.append(f"Skipped: {e['skipped']}")
        else:
            out.append("| reports | seconds | peak RSS (MB) | GEXF MB |")
            out.append("|---:|---:|---:|---:|")
            for size, value in sorted(e.items(), key=lambda kv: int(kv[0])):
                if "seconds" in value:
                    out.append(f"| {int(size):,} | {f(value['seconds'])} | {f(value['peak_mb'], 0)} | {f(value['bytes'] / 2**20)} |")
                else:
                    out.append(f"| {int(size):,} | {value.get('error')} | | |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    merged: dict = {}
    for path in argv:
        part = json.loads(Path(path).read_text())
        for key, value in part.items():
            if key in ("validation", "ingest", "queries", "store", "export") or key not in merged:
                merged[key] = value
        merged["seconds"] = merged.get("seconds", 0) + part.get("seconds", 0) if len(argv) > 1 else part.get("seconds", 0)
        merged["loadavg_end"] = part.get("loadavg_end", merged.get("loadavg_end"))
    from bench.runner import ratios

    merged["ratios"] = ratios(merged)
    print(tables(merged))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
