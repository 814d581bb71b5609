"""Bounded work per report (issue 11, point 6): mentions per sentence and per report, and seconds
per report; past a limit the report is refused with one line naming the limit and its setting."""
from __future__ import annotations

import os
import time

import pytest

from kg.ingest import ingest_paths
from kg.parallel import ingest_paths_parallel
from kg.store import open_store

from .conftest import EXAMPLES, run_kg

HEAD = "某区司法局2025年法治政府建设年度报告\n一、主要工作\n"


def hostile(path, titles: int = 100_000, per_sentence: int = 20):
    """A small report of many distinct 《》 titles (1.7 MB for the default 100,000)."""
    lines = ["学习" + "".join(f"《规定{n + i}》" for i in range(per_sentence)) + "。"
             for n in range(0, titles, per_sentence)]
    path.write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_small_report_of_100000_titles_is_refused_in_seconds_through_the_cli(tmp_path):
    report = hostile(tmp_path / "hostile.txt")
    assert 1_500_000 < report.stat().st_size < 2_000_000
    started = time.monotonic()
    proc = run_kg("ingest", str(report), "--store", str(tmp_path / "store"), "-q")
    elapsed = time.monotonic() - started
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    failed = [line for line in proc.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, proc.stderr
    assert "hostile.txt" in failed[0] and "document titles" in failed[0]
    assert "more than the 5000 a report may have" in failed[0]
    assert "POLICY_KG_MAX_MENTIONS_PER_REPORT" in failed[0]
    assert elapsed < 60, elapsed  # it took 325 s and 6 GB before the limit


@pytest.mark.parametrize("jobs", [0, 1])
def test_too_many_mentions_in_one_sentence_refuse_the_report(tmp_path, jobs):
    folder = tmp_path / "reports"
    folder.mkdir()
    hostile(folder / "dense.txt", titles=300, per_sentence=300)
    (folder / "good.txt").write_text((EXAMPLES / "haibin-sfj-2025.txt").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    store = open_store(tmp_path / "store")
    try:
        summary = (ingest_paths([folder], store) if jobs == 0
                   else ingest_paths_parallel([folder], store, jobs=jobs))
        assert [o.source.rsplit("/", 1)[-1] for o in summary.stored] == ["good.txt"]
        (error,) = [o.error for o in summary.failed]
        assert error.startswith(str(folder / "dense.txt") + ": ") and "\n" not in error
        assert "300 document titles in the sentence at line 3, more than the 200 a sentence may have" in error
        assert "POLICY_KG_MAX_MENTIONS_PER_SENTENCE" in error
    finally:
        store.close()


def test_the_limits_are_settings(tmp_path, monkeypatch):
    report = hostile(tmp_path / "dense.txt", titles=300, per_sentence=300)
    monkeypatch.setenv("POLICY_KG_MAX_MENTIONS_PER_SENTENCE", "1000")
    monkeypatch.setenv("POLICY_KG_MAX_MENTIONS_PER_REPORT", "250")
    store = open_store(tmp_path / "store")
    try:
        (outcome,) = ingest_paths([report], store).outcomes
        assert "300 document titles by line 3, more than the 250 a report may have" in outcome.error
        monkeypatch.setenv("POLICY_KG_MAX_MENTIONS_PER_REPORT", "1000")
        (outcome,) = ingest_paths([report], store).outcomes
        assert outcome.stored, outcome.error
    finally:
        store.close()


@pytest.mark.parametrize("jobs", [0, 1])
def test_a_report_that_takes_longer_than_its_time_budget_is_refused(tmp_path, monkeypatch, jobs):
    monkeypatch.setenv("POLICY_KG_MAX_REPORT_SECONDS", "0.001")
    store = open_store(tmp_path / "store")
    try:
        summary = (ingest_paths([EXAMPLES / "haibin-sfj-2025.txt"], store) if jobs == 0
                   else ingest_paths_parallel([EXAMPLES / "haibin-sfj-2025.txt"], store, jobs=jobs))
        (outcome,) = summary.outcomes
        assert not outcome.stored and "\n" not in outcome.error
        assert "haibin-sfj-2025.txt" in outcome.error
        assert "took more than the 0.001 s a report may take" in outcome.error
        assert "POLICY_KG_MAX_REPORT_SECONDS" in outcome.error
        assert store.graphs() == []
    finally:
        store.close()


def test_a_bad_setting_is_one_line_naming_it(tmp_path):
    proc = run_kg("ingest", str(EXAMPLES / "haibin-sfj-2025.txt"), "--store", str(tmp_path / "s"),
                  env={"POLICY_KG_MAX_MENTIONS_PER_REPORT": "lots"})
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "POLICY_KG_MAX_MENTIONS_PER_REPORT" in proc.stderr and "'lots'" in proc.stderr


def test_a_report_of_too_many_sentences_is_refused_before_they_are_annotated(tmp_path):
    # 170,000 one-character sentences in 1 MB cost 15 s and 1.2 GB (every spaCy doc is kept)
    report = tmp_path / "tiny.txt"
    report.write_text(HEAD + "法。" * 170_000 + "\n", encoding="utf-8")
    store = open_store(tmp_path / "store")
    try:
        started = time.monotonic()
        (outcome,) = ingest_paths([report], store).outcomes
        assert time.monotonic() - started < 10
        assert "170001 sentences, more than the 20000 a report may have" in outcome.error
        assert "POLICY_KG_MAX_SENTENCES_PER_REPORT" in outcome.error and not outcome.stored
    finally:
        store.close()


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the peak memory from /proc")
def test_the_memory_of_a_long_report_does_not_grow_with_its_spacy_docs(tmp_path):
    """Each sentence's spaCy doc is let go once its mentions are taken: an 18 MB report of long
    sentences peaked at 2.3 GB with every doc kept, 250 MB without."""
    import subprocess
    import sys

    report = tmp_path / "long.txt"
    report.write_text(HEAD + ("a" * 1999 + "。\n") * 2250, encoding="utf-8")  # 4.5 MB
    # the peak of this process only: VmHWM (ru_maxrss would carry the forking pytest's own size over exec)
    script = ("import re, sys; from kg.ingest import ingest_paths; from kg.store import open_store\n"
              "store = open_store(sys.argv[2]); summary = ingest_paths([sys.argv[1]], store); store.close()\n"
              "peak = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
              "print(len(summary.stored), int(peak) // 1024)")
    proc = subprocess.run([sys.executable, "-c", script, str(report), str(tmp_path / "store")],
                          capture_output=True, text=True, timeout=600)
    stored, peak_mb = map(int, proc.stdout.split())
    assert stored == 1 and peak_mb < 400, (peak_mb, proc.stderr[-2000:])
