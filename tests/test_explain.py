"""`kg extract FILE --explain`: one line per document, its level and the rule that gave it, through the CLI."""
from __future__ import annotations

from .conftest import run_kg

REPORT = """2026年福建省政府工作报告
一、2025年工作回顾
推动出台湿地保护条例，认真落实海洋经济促进法。话剧《灯塔》《归帆》获奖，印发《福建省湿地保护三年行动方案》。
"""


def test_explain_prints_each_documents_level_and_rule(tmp_path):
    (tmp_path / "fj.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "id,file,title,agency,jurisdiction,year,url\n"
        "fj,fj.txt,2026年福建省政府工作报告,福建省人民政府,福建省,2025,\n", encoding="utf-8")
    proc = run_kg("extract", str(tmp_path / "fj.txt"), "--explain")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [
        "福建省湿地保护条例  local-regulation  head 条例 + issuer 福建省 (province)",
        "海洋经济促进法  law  head 法",
        "灯塔  creative-work  genre 话剧 before the title",
        "归帆  creative-work  genre 话剧 before the title",
        "福建省湿地保护三年行动方案  policy-document  head 方案",
    ]


def test_explain_of_a_missing_file_is_one_line(tmp_path):
    proc = run_kg("extract", str(tmp_path / "none.txt"), "--explain")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "none.txt" in proc.stderr
