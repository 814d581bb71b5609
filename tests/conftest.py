"""Shared fixtures: where ../shared is, a temporary embedded store, the example reports."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICY_KG_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
EXAMPLES = ROOT / "examples"
# How many reports examples/ holds (its manifest's rows): tests count with it, not a constant.
EXAMPLE_REPORTS = sum(1 for line in (EXAMPLES / "manifest.csv").read_text(encoding="utf-8").splitlines()[1:]
                      if line.strip())

needs_corpus = pytest.mark.skipif(not (CORPUS / "manifest.csv").is_file(),
                                  reason=f"needs the shared corpus at {CORPUS} (not present here)")


def kg_command() -> list[str]:
    """The installed `kg` next to this Python, or `python -m kg`."""
    exe = Path(sys.executable).with_name("kg")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "kg"]


def run_kg(*args: str, check: bool = False, env: dict[str, str] | None = None, timeout: float = 600,
           **kw) -> subprocess.CompletedProcess:
    """`kg ARGS` in a subprocess; ``env`` adds variables to this process's environment."""
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", **(env or {}))
    proc = subprocess.run([*kg_command(), *args], capture_output=True, text=True, env=env, timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"kg {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture
def store(tmp_path):
    from kg.store import open_store

    db = open_store(tmp_path / "store")
    yield db
    db.close()


@pytest.fixture
def examples_copy(tmp_path):
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target

try:  # hypothesis profiles: a short one for the suite, a long one for fuzz/run_extraction.py
    from hypothesis import settings as _settings

    _settings.register_profile("ci", max_examples=30, deadline=None)
    _settings.register_profile("long", max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "10000")),
                               deadline=None)
    _settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover
    pass
