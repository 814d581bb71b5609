"""Verbs of agencies acting on documents, and which titles they govern."""
from __future__ import annotations

import pytest

from kg.extract.actions import find_verbs, governing_verbs, implemented_inside
from kg.extract.titles import find_titles


def actions_on(text):
    titles = [(t.start, t.end) for t in find_titles(text, nested=False)]
    governed = governing_verbs(text, titles, find_verbs(text))
    return {text[titles[i][0] + 1:titles[i][1] - 1]: sorted({v.action for v in vs}) for i, vs in governed.items()}


@pytest.mark.parametrize("text, expected", [
    ("局党组会议传达学习《数据共享条例》", {"数据共享条例": ["study"]}),
    ("开展《民营经济促进法》专题学习", {"民营经济促进法": ["study"]}),
    ("组织2场《数据共享条例》专题培训会", {"数据共享条例": ["train"]}),
    ("组织全市召开《条例》宣贯培训会", {"条例": ["publicise", "train"]}),
    ("投放《宪法》《民营经济促进法》等宣传海报", {"宪法": ["publicise"], "民营经济促进法": ["publicise"]}),
    ("推动全市清理与《条例》不相符的法规制度", {"条例": ["clear"]}),
    ("完成区内违反《数据共享条例》的制度清理工作", {"数据共享条例": ["clear"]}),
    ("严格对标对表《数据共享条例》", {"数据共享条例": ["implement"]}),
    ("做好《数据共享条例》(下称《条例》)在本市的落地实施", {"数据共享条例": ["implement"], "条例": ["implement"]}),
    ("起草《某市公共数据开放管理办法》政府规章", {"某市公共数据开放管理办法": ["draft"]}),
    ("印发实施《某市公共数据管理工作指引》", {"某市公共数据管理工作指引": ["issue"]}),
    ("对《某方案》等重点工作作出批示", {}),
    ("会议指出，《数据共享条例》是首部规范数据共享的行政法规", {}),
])
def test_governing_verbs(text, expected):
    assert actions_on(text) == expected


def test_verbs_inside_titles_do_not_count():
    assert actions_on("印发《某市贯彻落实〈数据条例〉实施方案》") == {"某市贯彻落实〈数据条例〉实施方案": ["issue"]}


def test_a_plan_that_implements_a_regulation():
    assert implemented_inside("某市贯彻落实〈政务数据共享条例〉实施方案") == ["政务数据共享条例"]
    assert implemented_inside("某市工作方案") == []


@pytest.mark.parametrize("text, expected", [
    ("以《行政复议法》颁布实施为契机，加强复议工作", {}),
    ("邀请专家开展《行政复议法》专题讲座", {"行政复议法": ["train"]}),
    ("组织干部参加《民法典》知识竞赛", {"民法典": ["publicise"]}),
])
def test_more_verbs_and_words_that_only_look_like_actions(text, expected):
    assert actions_on(text) == expected


# The basis of work, the clause after a coming into force, and more verbs (passages written for these tests).
@pytest.mark.parametrize("text, expected", [
    ("严格按照《重大行政决策程序暂行条例》要求规范决策", {"重大行政决策程序暂行条例": ["implement"]}),
    ("依照《行政处罚法》有关规定开展执法", {"行政处罚法": ["implement"]}),
    ("《行政复议法》修订施行后，及时组织执法人员专题学习", {"行政复议法": ["study"]}),
    ("以《民法典》颁布五周年为契机，开展主题宣传活动", {"民法典": ["publicise"]}),
    ("局党组专题研学《监察法》", {"监察法": ["study"]}),
    ("组织干部职工参加《保守国家秘密法》知识测试", {"保守国家秘密法": ["train"]}),
    ("深入践行《法治政府建设实施纲要》", {"法治政府建设实施纲要": ["implement"]}),
])
def test_basis_next_clause_and_more_verbs(text, expected):
    assert actions_on(text) == expected


@pytest.mark.parametrize("text", [
    "根据《政府信息公开条例》，现将有关情况报告如下",     # a citation with no 要求/规定 after it
    "《行政复议法》施行后，复议案件数量明显上升",        # the next clause has no action on it
    "以《行政复议法》颁布实施为契机，加强复议工作",
])
def test_citations_and_coming_into_force_alone_are_no_action(text):
    assert actions_on(text) == {}


@pytest.mark.parametrize("text, expected", [
    ("推动《宪法》进机关、进社区、进企业", {"宪法": ["publicise"]}),
    ("将《民法典》纳入年度学法计划", {"民法典": ["study"]}),
    ("邀请律师开展《行政复议法》专题辅导", {"行政复议法": ["train"]}),
    ("对照《优化营商环境条例》逐项自查", {"优化营商环境条例": ["implement"]}),
])
def test_verbs_of_district_reports(text, expected):
    assert actions_on(text) == expected
