"""docs/model.md's prefix, term and scheme tables are generated from the ontology (issue 13,
point 8): the committed file must equal what docs/generate_model.py makes, so it cannot drift."""
from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "docs" / "generate_model.py"
MODEL = ROOT / "docs" / "model.md"


def test_committed_model_doc_equals_the_generated_one():
    generated = runpy.run_path(str(GENERATOR))["generated"]
    current = MODEL.read_text(encoding="utf-8")
    assert generated(current) == current, "docs/model.md is stale: run .venv/bin/python docs/generate_model.py"


def test_the_tables_name_the_real_iris():
    text = MODEL.read_text(encoding="utf-8")
    assert "| `admin:` | `https://w3id.org/policy-kg/scheme/admin-level/` |" in text
    assert "`https://w3id.org/policy-kg/scheme/level/local-regulation`" in text
    assert "| `pkg:Report` | class | 报告 | Report | `https://w3id.org/policy-kg/ontology#Report` |" in text


def test_check_mode_finds_a_stale_table(tmp_path):
    generated = runpy.run_path(str(GENERATOR))["generated"]
    stale = MODEL.read_text(encoding="utf-8").replace("| `admin:` | `https://w3id.org/policy-kg/scheme/admin-level/` |", "| `admin:` | `https://w3id.org/policy-kg/scheme/admin/` |")
    assert stale != MODEL.read_text(encoding="utf-8") and generated(stale) != stale
    ok = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
