"""Document titles and their levels: rules shown on short passages, with their limits."""
from __future__ import annotations

import pytest

from kg.extract.titles import defined_abbreviation, find_titles, is_generic_short, level_of, strip_draft, variant_key


def test_nested_titles_are_found_inside_outer_ones():
    text = "印发《某市贯彻落实〈数据安全条例〉实施方案》和《某区工作要点》。"
    titles = find_titles(text)
    assert [(t.title, t.nested) for t in titles] == [
        ("某市贯彻落实〈数据安全条例〉实施方案", False), ("数据安全条例", True), ("某区工作要点", False)]
    for t in titles:
        assert text[t.start:t.end].strip("《》〈〉") == t.title


def test_unbalanced_brackets_do_not_swallow_the_text():
    assert find_titles("他说《未闭合的标题，然后很多话。") == []


@pytest.mark.parametrize("after, short", [
    ("（下称《条例》）在本市落地", "条例"),
    ("(以下简称《建议》)提出", "建议"),
    ("（简称“纲要”）", "纲要"),
    ("，下称条例", None),
])
def test_defined_abbreviations(after, short):
    assert defined_abbreviation(after) == short


@pytest.mark.parametrize("title, generic", [
    ("条例", True), ("纲要（草案）", True), ("纲要草案", True), ("办法", True),
    ("数据条例", False), ("某市规划纲要", False),
])
def test_generic_short_titles(title, generic):
    assert is_generic_short(title) is generic


def test_draft_suffix_and_variants():
    assert strip_draft("某市民生诉求服务管理办法(征求意见稿)") == "某市民生诉求服务管理办法"
    assert variant_key("某区公共数据授权运营管理暂行办法") == variant_key("某区公共数据授权运营暂行管理办法")
    assert variant_key("某区公共数据授权运营管理暂行办法") != variant_key("某区公共数据开放管理暂行办法")


@pytest.mark.parametrize("title, level", [
    ("中华人民共和国行政复议法", "law"),
    ("行政处罚法", "law"),
    ("民法典", "law"),
    ("中华人民共和国宪法", "constitution"),
    ("全国人民代表大会常务委员会关于加强法治宣传教育的决定", "law"),
    ("优化营商环境条例", "administrative-regulation"),
    ("中华人民共和国政府信息公开条例", "administrative-regulation"),
    ("浙江省数字经济促进条例", "local-regulation"),
    ("深圳经济特区数据条例", "local-regulation"),
    ("某市行政规范性文件管理办法", "normative-document"),
    ("某区公共数据授权运营暂行管理办法", "normative-document"),
    ("生态环境部环境影响评价管理办法", "department-rule"),
    ("某市数字政府建设三年行动方案(2025-2027年)", "policy-document"),
    ("某省国民经济和社会发展第十五个五年规划纲要", "policy-document"),
    ("2025年某区法治宣传工作要点", "policy-document"),
    ("关于加快推进数字政府建设的实施意见", "policy-document"),
    ("某区政务服务事项清单", "policy-document"),
    ("政务信息系统安全技术规范", "standard"),
    ("公共数据分类分级标准", "standard"),
    ("某市2025年政府工作报告", "report"),
    ("关于〈某区管理暂行办法〉的报告", "report"),
    ("习近平法治思想概论", "publication"),
    ("习近平法治思想学习纲要", "publication"),
    ("数据合规实务手册", "publication"),
    ("中国共产党问责条例", "policy-document"),
    ("党政主要负责人履行推进法治建设第一责任人职责规定", "policy-document"),
    ("现代汉语词典", "publication"),
])
def test_level_from_the_title(title, level):
    assert level_of(title) == level


@pytest.mark.parametrize("before, title, after, context, level", [
    ("电视剧", "山海情", "", "", "creative-work"),
    ("纪录片", "航拍中国", "", "", "creative-work"),
    ("越剧", "新龙门客栈", "", "", "creative-work"),
    ("推出微短剧", "法治小课堂", "", "", "creative-work"),
    ("组织观看警示教育片", "蝇贪之害", "", "", "creative-work"),
    ("组织观看", "厉害了，我的国", "", "", "creative-work"),
    ("推荐阅读", "法治的细节", "", "", "publication"),
    ("出版", "数据治理", "一书", "", "publication"),
    ("", "法治日报", "等报刊", "", "publication"),
    ("起草", "某市公共数据开放管理办法", "政府规章，提请市政府审议", "", "local-government-rule"),
    ("推动", "某市民生诉求服务管理办法", "以政府规范性文件出台", "推动《某市民生诉求服务管理办法》以政府规范性文件出台",
     "normative-document"),
    ("发布", "公共数据安全体系建设指南", "等地方标准", "发布《公共数据安全体系建设指南》等地方标准", "standard"),
    ("印发", "公共数据管理工作指引", "", "印发《公共数据管理工作指引》", "policy-document"),
])
def test_level_from_the_words_around(before, title, after, context, level):
    assert level_of(title, before, after, context) == level


def test_limits_a_method_is_not_a_law():
    # 办法 ends in 法 but is not a law; 方法 and 做法 neither.
    assert level_of("某市政务服务管理办法") != "law"
    assert level_of("工作方法") != "law"


# --- works of culture: a genre lexicon, cues before or after, over coordinated lists -------------

@pytest.mark.parametrize("before, title, after, level", [
    ("黄梅戏", "江畔人家", "", "creative-work"),
    ("原创豫剧", "麦浪", "", "creative-work"),
    ("网络电影", "山路弯弯", "", "creative-work"),
    ("长篇小说", "海风吹过的村庄", "", "creative-work"),
    ("", "山路弯弯", "等一批影视佳作热播", "creative-work"),
    ("", "江畔人家", "等精品剧目巡演", "creative-work"),
    ("", "海风吹过的村庄", "等3部作品获奖", "creative-work"),
    ("", "闽南文献", "系列丛书出版", "publication"),
    ("舞蹈诗剧", "江畔人家", "", "creative-work"),
    ("陇剧", "江畔人家", "", "creative-work"),       # a genre the lexicon does not list, by its ending
    ("", "山海奇遇", "等网络游戏", "creative-work"),
    ("", "江畔人家", "在多家卫视热播", "creative-work"),    # a work's own verbs after it
    ("", "江畔人家", "荣获第十届文华大奖", "creative-work"),  # or its prize
    ("", "闽海记忆", "正式出版", "publication"),
])
def test_genre_words_before_or_after_a_title(before, title, after, level):
    assert level_of(title, before, after) == level


def test_a_cue_covers_every_title_of_a_coordinated_list():
    text = "话剧《灯塔》《归帆》、歌曲《晨光》和《远山》等作品获奖。"
    levels = {}
    for t in find_titles(text):
        levels[t.title] = level_of(t.title, text[:t.start], text[t.end:], text)
    assert levels == {"灯塔": "creative-work", "归帆": "creative-work", "晨光": "creative-work",
                      "远山": "creative-work"}
    # a comma ends the list: the next clause's title is not covered
    text = "话剧《灯塔》获奖，《远山》项目开工。"
    assert [level_of(t.title, text[:t.start], text[t.end:], text) for t in find_titles(text)] == [
        "creative-work", "other"]


def test_limits_the_head_noun_comes_before_any_cue():
    # a title with the head noun of a document kind is that document, next to a genre word or not
    assert level_of("湿地保护条例", "宣传片", "") == "administrative-regulation"
    assert level_of("某市文化发展规划", "", "等作品") == "policy-document"
    # no cue, no head: other, never a legal level
    assert level_of("海上灯塔", "推出", "") == "other"
    assert level_of("海上灯塔", "", "项目建成") == "other"
    assert level_of("海上灯塔", "矛盾加剧", "") == "other"  # 加剧 is a verb, not a genre
    assert level_of("海上灯塔", "", "项目获批") == "other"
    assert level_of("海上灯塔", "", "，江畔人家热播") == "other"  # another clause's cue


def test_unbracketed_drafts_are_their_documents_level():
    assert level_of("某省国民经济和社会发展第十五个五年规划纲要草案") == "policy-document"
    assert level_of("福建省湿地保护条例修订草案") == "local-regulation"
    assert level_of("草案") == "other"


def test_a_regions_rules_implementing_a_law_are_a_local_regulation():
    assert level_of("福建省海洋经济促进法实施办法") == "local-regulation"
    assert level_of("福建省实施中华人民共和国海洋经济促进法办法") == "local-regulation"
    assert level_of("海洋经济促进法实施办法") != "local-regulation"  # no region: not a region's rule


def test_limits_a_market_is_not_a_city():
    assert level_of("全国统一大市场建设条例") == "administrative-regulation"
    assert level_of("厦门市市场监管条例") == "local-regulation"


@pytest.mark.parametrize("title, rule", [
    ("福建省湿地保护条例", "head 条例 + issuer 福建省 (province)"),
    ("厦门市湿地保护条例", "head 条例 + issuer 厦门市 (city)"),
    ("湿地保护条例", "head 条例, no region"),
    ("海洋经济促进法", "head 法"),
])
def test_each_level_says_the_rule_that_gave_it(title, rule):
    from kg.extract.titles import level_and_rule

    assert level_and_rule(title)[1] == rule
    assert level_and_rule("江畔人家", "黄梅戏")[1] == "genre 黄梅戏 before the title"
