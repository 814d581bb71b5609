"""End to end over the shared corpus: ingest both reports and score the contract questions."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import CORPUS, SHARED, kg_command, needs_corpus


@needs_corpus
def test_corpus_ingests_and_scores(tmp_path):
    score = SHARED / "eval" / "score.py"
    if not score.is_file():
        pytest.skip(f"no scorer at {score}")
    out = tmp_path / "scores.json"
    proc = subprocess.run([sys.executable, str(score), "--corpus", str(CORPUS), "--kg", " ".join(kg_command()),
                           "--json", str(out)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    scores = json.loads(out.read_text())
    assert scores["macro_f1"] >= 0.9, proc.stdout
    assert scores["f1"]["regulations"] >= 0.95, proc.stdout
    assert all(detail["tp"] > 0 for detail in scores["detail"].values()), proc.stdout


@needs_corpus
def test_same_regulation_cited_by_two_reports_is_one_node(tmp_path):
    from kg.ingest import ingest_paths
    from kg.store import open_store

    db = open_store(tmp_path / "s")
    assert ingest_paths([CORPUS], db).ok
    rows = db.select("""SELECT ?d (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g {
        ?d <http://purl.org/dc/terms/title> "政务数据共享条例"@zh } } GROUP BY ?d""")["results"]["bindings"]
    assert len(rows) == 1 and rows[0]["n"]["value"] == "2"
    db.close()
