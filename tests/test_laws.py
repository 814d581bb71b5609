"""Unbracketed laws and regulations (kg.extract.laws, the ``policy_laws`` component): what each rule takes,
and its limits. Every passage is written for the test; the regions and names are made up or common."""
from __future__ import annotations

import pytest

from kg.extract.agencies import Jurisdiction
from kg.authority import Authority, LawRecord
from kg.extract.laws import Gazetteer, find_laws
from kg.extract.nlp import annotate

PROVINCE = Jurisdiction.parse("福建省人民政府")
MUNICIPALITY = Jurisdiction.parse("天津市人民政府")
DISTRICT = Jurisdiction.parse("深圳市光明区司法局")


def found(text, where=PROVINCE, authority=None):
    """(as written, full title) of every unbracketed law the pipeline finds (core list + ``authority``)."""
    doc = annotate(text, where, authority=authority)
    return [(s.text, s.kb_id_) for s in doc.spans["laws"]]


# --- (b) the pattern: verb + region + name + head -----------------------------------------

@pytest.mark.parametrize("text, title", [
    ("全面落实海洋经济促进法，壮大蓝色产业。", "海洋经济促进法"),
    ("认真贯彻落实海岛开发促进法和有关政策。", "海岛开发促进法"),
    ("研究制定湿地保护条例。", "福建省湿地保护条例"),
    ("推动出台实施数字经济促进条例，", "福建省数字经济促进条例"),
    ("提请省人大常委会审议通过养老服务条例。", "福建省养老服务条例"),
    ("修订福建省水资源条例，", "福建省水资源条例"),
    ("推动出台厦门经济特区营商环境条例。", "厦门经济特区营商环境条例"),
    ("推动出台海洋经济促进法实施办法，", "福建省海洋经济促进法实施办法"),
    ("组织学习新修订的档案管理法，", "档案管理法"),
    ("审议种子管理条例草案。", "福建省种子管理条例"),
])
def test_a_governing_verb_and_a_legal_head_make_a_title(text, title):
    assert [t for _, t in found(text)] == [title]


def test_compound_verbs_never_start_a_title():
    # 出台实施, 研究制定, 贯彻落实: the whole run is the verb; the title starts after it
    for text in ("推动出台实施湿地保护条例。", "研究制定湿地保护条例。", "贯彻落实湿地保护条例。", "修订完善湿地保护条例。"):
        assert [w for w, _ in found(text)] == ["湿地保护条例"]
    assert found("出台实施办法。") == []      # the verb's 实施 is not a name: nothing but a head is left
    assert found("研究制定实施细则。") == []


@pytest.mark.parametrize("text", [
    "落实相关规定，执行有关条例。",            # determiners
    "制定具体办法，出台配套细则。",
    "今年出台3部条例，修订两件条例。",          # quantities
    "颁布实施全国首部湿地保护条例。",
    "落实省委湿地保护规定，执行市级湿地保护条例。",  # 省委, 市级 are not the region
    "严格执法，推广好做法，落实学法用法制度。",  # 法 closing an ordinary word
    "完善海洋经济促进法规政策体系。",            # 法规, not 法
    "贯彻法律法规，落实安全生产法律责任。",
    "落实市场准入制度。",                        # 市场 is not a region
    "落实湿地保护规定。",                        # an unregioned 规定 nobody knows: too weak
    "深入贯彻中央八项规定精神。",                # the spirit of a Party rule
])
def test_limits_fragments_are_not_titles(text):
    assert found(text) == []


def test_titles_listed_after_the_first_share_its_verb_and_region():
    text = "落实福建省湿地保护条例、古树名木管理办法和林长制条例，"
    assert found(text) == [("福建省湿地保护条例", "福建省湿地保护条例"),
                           ("古树名木管理办法", "福建省古树名木管理办法"),
                           ("林长制条例", "福建省林长制条例")]


def test_a_title_as_the_subject_of_its_coming_into_force():
    assert found("湿地保护条例正式施行，") == [("湿地保护条例", "福建省湿地保护条例")]
    assert found("推动湿地保护条例颁布实施。") == [("湿地保护条例", "福建省湿地保护条例")]
    assert found("这项工作正式施行。") == []


# --- point 2: the report's region ------------------------------------------------------

@pytest.mark.parametrize("text, where, title", [
    ("修订本市物业管理条例，", MUNICIPALITY, "天津市物业管理条例"),
    ("落实好海洋经济促进法和市物业管理条例。", MUNICIPALITY, "天津市物业管理条例"),
    ("推动出台全省湿地保护条例。", PROVINCE, "福建省湿地保护条例"),
    ("配合省人大修订省湿地保护条例。", PROVINCE, "福建省湿地保护条例"),
    ("落实好海洋经济促进法和湿地保护条例。", PROVINCE, "福建省湿地保护条例"),  # listed after a law
    ("推动出台湿地保护条例。", DISTRICT, "深圳市湿地保护条例"),  # a district body's city makes it
    ("推动出台全区湿地保护条例。", Jurisdiction.parse("广西壮族自治区人民政府"), "广西壮族自治区湿地保护条例"),
])
def test_region_words_and_implied_regions_are_the_reports(text, where, title):
    assert found(text, where)[-1][1] == title


def test_limits_of_the_implied_region():
    # national names, laws and a district body applying a rule keep no region
    assert found("落实全国统一数据市场建设条例，") == [("全国统一数据市场建设条例", "全国统一数据市场建设条例")]
    assert found("落实海岛开发促进法。")[0][1] == "海岛开发促进法"
    assert found("贯彻落实湿地保护条例，", DISTRICT) == [("湿地保护条例", "湿地保护条例")]
    # a written region is kept as written, not doubled
    assert found("组织起草深圳市数据共享管理办法，", DISTRICT) == [("深圳市数据共享管理办法", "深圳市数据共享管理办法")]
    # 市民 is not 市 + 民…
    assert found("落实市民文明公约。", MUNICIPALITY) == []


def test_a_known_national_title_applied_is_the_national_one():
    # 优化营商环境条例 is on the core list: applied, it is national; made or revised, it is the report's own
    assert found("落实优化营商环境条例，") == [("优化营商环境条例", "优化营商环境条例")]
    assert found("推动修订优化营商环境条例，") == [("优化营商环境条例", "福建省优化营商环境条例")]


# --- (a) the gazetteer: known titles, bracketed or not ---------------------------------

def test_known_titles_without_a_verb_or_brackets():
    text = "开展宪法宣传周和民法典宣传月活动，依据行政处罚法第三十二条从轻处罚，执行公司法。"
    assert [t for _, t in found(text)] == ["中华人民共和国宪法", "中华人民共和国民法典",
                                           "中华人民共和国行政处罚法", "中华人民共和国公司法"]


def test_a_known_title_before_words_of_clearing_or_an_oath():
    assert found("清理与民法典不一致的文件，举行宪法宣誓仪式。") == [("民法典", "中华人民共和国民法典"),
                                                             ("宪法", "中华人民共和国宪法")]


def test_limits_of_known_titles():
    # a known title inside a longer word is not the title; 法律/法治 continue the word
    assert found("推进宪法进校园，完善行政处罚法律适用指引。") == [("宪法", "中华人民共和国宪法")]
    assert found("坚持依宪治国，弘扬宪法精神。") == []
    # 《》 titles are the bracket finder's, not found twice
    assert found("学习《中华人民共和国民法典》。") == []


def test_the_authority_list_adds_its_titles_and_two_character_names_are_not_enough():
    authority = Authority([LawRecord("湿地保护法", "中华人民共和国湿地保护法", "law"),
                           LawRecord("水法", "中华人民共和国水法", "law"),
                           LawRecord("福建省古树名木保护条例", "福建省古树名木保护条例", "local-regulation")],
                          source="test")
    text = "开展湿地保护法专题培训，治水法子多，宣传福建省古树名木保护条例。"
    assert found(text, authority=authority) == [("湿地保护法", "中华人民共和国湿地保护法"),
                                                ("福建省古树名木保护条例", "福建省古树名木保护条例")]
    assert found(text, authority=None) == [("福建省古树名木保护条例", "福建省古树名木保护条例")]  # the pattern alone


def test_gazetteer_knows_full_and_short_titles():
    g = Gazetteer(None)
    assert g.lookup("民法典") == ("中华人民共和国民法典", "law")
    assert g.lookup("中华人民共和国宪法") == ("中华人民共和国宪法", "constitution")
    assert "宪法" in g.titles() and all(len(t) >= 3 or t in ("宪法", "刑法") for t in g.titles())


def test_find_laws_runs_without_spacy_and_without_lists():
    assert [t.title for t in find_laws("推动出台湿地保护条例。", PROVINCE)] == ["福建省湿地保护条例"]
