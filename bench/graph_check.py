"""Graphs unchanged: the sorted N-Triples of every report graph (seeds, corpus-dev, examples),
with the authority list and without, saved once and compared after every optimisation.

    python -m bench.graph_check save /tmp/graphs-before     # at the starting commit
    python -m bench.graph_check compare /tmp/graphs-before  # after a change: exit 1 on any difference
    POLICY_KG_AUTHORITY=none python -m bench.graph_check save|compare …   # and without the list

``POLICY_KG_SHARED`` names the shared folder (default ``../shared``) when run from a copy.

Blank nodes (if any) are compared by rdflib's ``isomorphic`` when the sorted lines differ.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = Path(os.environ.get("POLICY_KG_SHARED") or ROOT.parent / "shared")
FOLDERS = [SHARED / "corpus", SHARED / "corpus-dev", ROOT / "examples"]


def graphs(authority: bool) -> dict[str, str]:
    """report file name → its graph as sorted N-Triples lines."""
    from kg.authority import default_authority
    from kg.ingest import report_graph_of
    from kg.read import discover, read_report

    auth = default_authority() if authority else None
    found, _ = discover([f for f in FOLDERS if f.is_dir()])
    out = {}
    for path, meta in found:
        graph = report_graph_of(read_report(path, meta), auth)
        lines = graph.serialize(format="nt").splitlines()
        out[Path(path).name] = "\n".join(sorted(line for line in lines if line.strip())) + "\n"
    return out


def all_graphs() -> dict[str, str]:
    """Keyed by the setting: ``extract-off/`` when ``POLICY_KG_AUTHORITY=none`` (no list when
    extracting either), then ``authority/`` or ``none/`` for what resolve was given."""
    off = (os.environ.get("POLICY_KG_AUTHORITY") or "").lower() in ("none", "off", "0")
    out = {}
    for authority in (True, False):
        for name, nt in graphs(authority).items():
            out[f"{'extract-off/' if off else ''}{'authority' if authority else 'none'}/{name}.nt"] = nt
    return out


def save(folder: Path) -> int:
    for key, nt in all_graphs().items():
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        (folder / key).write_text(nt, encoding="utf-8")
    return 0


def differences(folder: Path) -> list[str]:
    """One line per graph that differs from the saved one (or is missing on either side)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    now = all_graphs()
    off = next(iter(now)).startswith("extract-off/")
    saved = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*.nt")
             if p.relative_to(folder).parts[0] == "extract-off" or not off}
    saved = {k: v for k, v in saved.items() if k.startswith("extract-off/") == off}
    out = [f"{key}: missing now" for key in sorted(set(saved) - set(now))]
    out += [f"{key}: new" for key in sorted(set(now) - set(saved))]
    for key in sorted(set(now) & set(saved)):
        if now[key] == saved[key]:
            continue
        a, b = Graph().parse(data=now[key], format="nt"), Graph().parse(data=saved[key], format="nt")
        if not isomorphic(a, b):
            gone = set(saved[key].splitlines()) - set(now[key].splitlines())
            new = set(now[key].splitlines()) - set(saved[key].splitlines())
            out.append(f"{key}: {len(gone)} triples gone, {len(new)} new; e.g. -{sorted(gone)[:1]} +{sorted(new)[:1]}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("save", "compare"):
        print(__doc__.strip().splitlines()[-3], file=sys.stderr)
        return 2
    folder = Path(argv[1])
    if argv[0] == "save":
        return save(folder)
    diffs = differences(folder)
    for line in diffs:
        print(line)
    print("graphs identical" if not diffs else f"{len(diffs)} graphs differ")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
