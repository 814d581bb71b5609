"""Stage 2: sections, their roles, sentences and offsets, page noise."""
from __future__ import annotations

import pytest

from kg.extract.segment import section_role, segment

REPORT = """某区司法局2025年法治政府建设年度报告
2025年，我局扎实推进法治建设。现将有关情况报告如下：
一、2025年法治政府建设主要工作
（一）深入学习法律法规。全年开展学法12次！组织培训3场。
二、存在的问题和不足
一是学法深度不够。
三、2026年工作计划
（一）完善制度体系。推动《某区行政规范性文件管理办法》出台。
网站首页
【字号：大 中 小】
打印  关闭
来源：某区司法局
"""


def test_sections_and_roles():
    seg = segment(REPORT, 2025)
    assert [(s.heading, s.role) for s in seg.sections] == [
        ("", "preamble"),
        ("一、2025年法治政府建设主要工作", "review"),
        ("二、存在的问题和不足", "problems"),
        ("三、2026年工作计划", "plan"),
    ]
    assert seg.title_line == "某区司法局2025年法治政府建设年度报告"


def test_sentences_carry_offsets_role_and_section():
    seg = segment(REPORT, 2025)
    for s in seg.sentences:
        assert REPORT[s.start:s.end] == s.text
    texts = [s.text for s in seg.sentences]
    assert "全年开展学法12次！" in texts and "组织培训3场。" in texts
    plan = [s for s in seg.sentences if s.role == "plan"]
    assert any("推动《某区行政规范性文件管理办法》出台" in s.text for s in plan)
    assert all(s.section == "三、2026年工作计划" for s in plan)


def test_page_noise_yields_no_sentences():
    seg = segment(REPORT, 2025)
    text = " ".join(s.text for s in seg.sentences)
    for noise in ("网站首页", "字号", "打印", "来源"):
        assert noise not in text


@pytest.mark.parametrize("heading, role", [
    ("三、法治政府建设下一步工作安排", "plan"),
    ("四、2026年工作打算", "plan"),
    ("二、2026年经济社会发展总体要求和主要预期目标", "plan"),
    ("三、今年要重点做好以下工作", "plan"),
    ("二、2024年问题改进情况及2025年存在问题、原因", "problems"),
    ("二、存在的不足和改进方向", "problems"),
    ("一、2025年工作回顾", "review"),
    ("一、法治政府建设2025年工作总结", "review"),
])
def test_roles_from_heading_words(heading, role):
    assert section_role(heading, 2025) == role


def test_report_without_sections_is_one_preamble():
    seg = segment("全年办理案件12件。受理申请3件。", 2025)
    assert not [s for s in seg.sections if s.heading]
    assert [s.role for s in seg.sentences] == ["preamble", "preamble"]


def test_plan_subsection_inside_a_review_section():
    text = "一、主要工作情况\n（一）依法行政。全年办结10件。\n（二）2026年工作计划。推动某办法出台。"
    seg = segment(text, 2025)
    roles = {s.text: s.role for s in seg.sentences}
    assert roles["全年办结10件。"] == "review"
    assert roles["推动某办法出台。"] == "plan"


@pytest.mark.parametrize("heading, role", [
    ("一、加强组织领导，统筹部署安排", "review"),  # 安排 alone is no plan
    ("三、2026年重点任务", "plan"),
    ("三、下一步工作打算", "plan"),
    ("四、党政主要负责人履行推进法治建设第一责任人职责情况", "review"),
])
def test_weak_plan_words_need_a_coming_year(heading, role):
    assert section_role(heading, 2025) == role


def test_a_long_run_without_full_stops_is_cut_into_sentences_of_bounded_length():
    from kg.extract.segment import MAX_SENTENCE_CHARS

    head = "某区2025年法治政府建设年度报告\n一、主要工作\n"
    run = "，".join(f"推进第{i}项工作" for i in range(2000)) + "持续深化法治政府建设" * 500
    text = head + run + "。\n"
    seg = segment(text, 2025)
    body = [s for s in seg.sentences if s.start >= len(head)]
    assert len(body) > 1 and all(len(s.text) <= MAX_SENTENCE_CHARS for s in seg.sentences)
    assert all(text[s.start:s.end] == s.text for s in seg.sentences)
    assert "".join(s.text for s in body) == run + "。"  # nothing lost, nothing twice
    assert all(s.text.endswith("，") for s in body[:3])  # cut after a comma where there is one
