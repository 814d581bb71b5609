"""Initiatives: quoted names and named platforms/projects, not slogans or clauses."""
from __future__ import annotations

import pytest

from kg.extract.initiatives import find_initiatives


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


# Work reports quote many slogans; a quote is a name only where its context names a thing,
# and an unquoted name never starts with the clause's verb (passages written for these tests).
@pytest.mark.parametrize("text, expected", [
    ("全面实施“丝路云品”行动，带动外贸增长", ["丝路云品"]),
    ("学习运用“千万工程”经验，建设宜居和美乡村", ["千万工程"]),
    ("完成青龙湖水库除险加固工程，新增库容", ["青龙湖水库除险加固工程"]),
    ("持续做强“江城智造”品牌", ["江城智造"]),
    ("上线“云岭码上办”小程序", ["云岭码上办小程序"]),
    ("高质量共建“一带一路”倡议", ["一带一路倡议"]),
    ("深化“一窗通收”改革，压减办理时限", ["一窗通收"]),
    ("一是持续做强农村电商高质量发展工程", ["农村电商高质量发展工程"]),
    ("开展“春风送岗”等系列活动", ["春风送岗"]),
])
def test_named_programmes_of_work_reports(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "坚决杜绝搞“形象工程”",                 # criticised, not run
    "力戒“面子工程”",
    "杜绝新官不理旧账和政绩工程",
    "统筹推进“两重”项目建设",               # projects under a numeral slogan
    "着力破解“一老一小”难题",               # a numeral slogan
    "锚定“十五五”时期目标",
    "作品获全国“五个一工程”奖",             # an award won
    "新开工重点项目236个",                 # a category of projects, with a count
    "谋划储备一批产业项目",
    "力争更多项目纳入国家盘子",
    "支持项目加快建设",
    "196个“两重”项目开工",
    "培育“链主”企业",                      # a kind of enterprise
    "积极发展平台经济",                    # 平台 inside a longer noun
    "坚持“稳中求进”的工作总基调",
    "彰显“山水之城”魅力",                  # no word names it a programme
    "严控新增高耗能项目",
    "抓好三北六期等重大生态工程",
    "坚持“强化平台支撑和优化服务保障”",
])
def test_slogans_categories_and_fragments_are_not_initiatives(text):
    assert names(text) == []


@pytest.mark.parametrize("text", [
    "电动汽车、锂电池等产品“新三样”出口增长",   # a numeral slogan behind a modifier
    "主城累计建成“30桥18隧”",                  # figures
    "支持省会打造吸引集聚人才平台",            # verbs before a category
])
def test_numeral_slogans_figures_and_categories_behind_verbs(text):
    assert names(text) == []


@pytest.mark.parametrize("text", [
    "统筹推进“江河路空”四类通道互联互通",    # a label summing up a list
    "，跨境电商平台进出口增长18%",            # a kind of platform, not one
    "建强农村产权流转交易平台",
])
def test_labels_of_lists_and_kinds_of_platforms(text):
    assert names(text) == []


def test_listed_kinds_of_enterprise_are_not_initiatives():
    assert names("培育“小飞龙”、“千里驹”企业120家") == []
