"""Initiatives: quoted names and named platforms/projects, not slogans or clauses."""
from __future__ import annotations

import pytest

from kg.initiatives import find_initiatives


def names(text):
    return [i.name for i in find_initiatives(text)]


@pytest.mark.parametrize("text, expected", [
    ("上线全国首个实用型AI政务助手“深小i”，获评典型经验", ["深小i"]),
    ("深化“高效办成一件事”改革", ["高效办成一件事"]),
    ("创新打造“流动政务客厅”，深入园区开展服务", ["流动政务客厅"]),
    ("依托“海滨智调”平台受理纠纷", ["海滨智调平台"]),
    ("全市域统一时空信息平台，为50余个部门提供服务", ["全市域统一时空信息平台"]),
    ("推进政务网(三期)项目，敷设光缆", ["政务网(三期)项目"]),
    ("推出商保数赔、惠企数贷、新生儿社保卡数办等3个数据产品", ["商保数赔", "惠企数贷", "新生儿社保卡数办"]),
    ("建立“区-街道-社区-网格”四级联合调度指挥工作台", ["区-街道-社区-网格四级联合调度指挥工作台"]),
])
def test_initiatives(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "在攻防演练中做到了“零失陷”",
    "准确把握“十二个坚持”的核心要义",
    "及时处置“银狐”病毒感染事件",
    "存在“重业务、轻法治”倾向",
    "提供“一站式”服务",
    "以“人工智能+交通”构建保障体系",
    "同步完善配套制度机制和技术平台建设",
    "通过区内媒体平台进行宣传",
    "完成29个系统数据质量专项治理",
])
def test_not_initiatives(text):
    assert names(text) == []


def test_quotes_inside_titles_are_part_of_the_title():
    text = "印发《“深小i”政务办事助手对接规范》"
    assert find_initiatives(text, [(2, len(text))]) == []
