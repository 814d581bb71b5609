"""Quantities: numerals, multipliers, units, qualifiers, comparators, ranges; dates are not quantities."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kg.extract.quantities import cn_number, find_quantities, indicator_before


def one(text):
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text, value, unit, comparator", [
    ("全年受理诉求19.46万宗", "194600", "宗", "exact"),
    ("提供咨询服务超430万次", "4300000", "次", "at-least"),
    ("使用公共数据超28亿条", "2800000000", "条", "at-least"),
    ("助力企业融资超6800亿元", "680000000000", "元", "at-least"),
    ("财政收入186.5亿元", "18650000000", "元", "exact"),
    ("平均办结时长5.59个工作日", "5.59", "个工作日", "exact"),
    ("均在十个工作日内响应", "10", "个工作日", "exact"),
    ("为近百家企业提供服务", "100", "家", "about"),
    ("惠及企业840余家", "840", "家", "at-least"),
    ("准确率达91.76％", "91.76", "%", "exact"),
    ("接待群众2.3万人次", "23000", "人次", "exact"),
    ("粮食产量稳定在1250亿斤以上", "125000000000", "斤", "at-least"),
    ("地区生产总值增长5%左右", "5", "%", "about"),
    ("城镇新增就业47万人以上", "470000", "人", "at-least"),
    ("城镇调查失业率控制在5.5%以内", "5.5", "%", "at-most"),
    ("细颗粒物平均浓度不超过30微克/立方米", "30", "微克/立方米", "at-most"),
    ("落地数量不少于65个", "65", "个", "at-least"),
    ("敷设光缆177公里", "177", "公里", "exact"),
    ("培育法律明白人近千名", "1000", "名", "about"),
])
def test_quantities(text, value, unit, comparator):
    q = one(text)
    assert (q.value, q.unit, q.comparator) == (Decimal(value), unit, comparator)
    assert text[q.start:q.end] == q.text


@pytest.mark.parametrize("text, low, high", [
    ("一般公共预算收入增长4.5%—5%", "4.5", "5"),
    ("增长5%-5.5%", "5", "5.5"),
    ("增长6％～7％", "6", "7"),
])
def test_ranges(text, low, high):
    q = one(text)
    assert (q.value, q.upper, q.comparator) == (Decimal(low), Decimal(high), "range")


@pytest.mark.parametrize("text", [
    "2025年6月30日，局党组召开会议",
    "印发实施方案(2025—2026年)",
    "全面贯彻党的二十大和二十届历次全会精神",
    "把握“十二个坚持”的核心要义",
    "采取三项改进措施",
    "推进政务网(三期)项目",
    "PM2.5浓度下降",
    "第一议题学习",
    "完成两批事项清理",
])
def test_dates_ordinals_and_wording_are_not_quantities(text):
    assert find_quantities(text) == []


@pytest.mark.parametrize("text, number", [("十", 10), ("十五", 15), ("二百三十", 230), ("百", 100), ("两", 2), ("一二", None)])
def test_chinese_numerals(text, number):
    assert cn_number(text) == number


def test_indicator_is_the_clause_before_the_number():
    text = "实现“高效办成一件事”落地数量不少于65个"
    q = one(text)
    assert indicator_before(text, q.start) == "“高效办成一件事”落地数量"


def test_a_bare_change_takes_the_subject_of_the_clause_before():
    text = "全市地区生产总值达到2860亿元，增长5.3%"
    q = find_quantities(text)[1]
    assert indicator_before(text, q.start) == "全市地区生产总值增长"


# What each number measures (passages written for these tests).
def measured(text):
    from kg.extract.quantities import indicators

    found = find_quantities(text)
    return [(ind, str(q.value)) for q, ind in zip(found, indicators(text, found))]


@pytest.mark.parametrize("text, expected", [
    # an enumeration pairs each value with its own subject
    ("全市进口、出口分别增长12.5%、30.1%", [("全市进口增长", "12.5"), ("出口增长", "30.1")]),
    ("国家级专精特新企业、省级创新中心分别达到210家、36家", [("国家级专精特新企业", "210"), ("省级创新中心", "36")]),
    # a count stands before the noun it counts
    ("科技型中小企业增至5万家，11家企业入选国家链主企业名单", [("科技型中小企业", "50000"), ("企业", "11")]),
    ("新建改造12个口袋公园，完成造林8万亩", [("口袋公园", "12"), ("造林", "80000")]),
    # a bare change takes its clause's subject, never the other number
    ("一般公共预算收入820亿元、增长6.2%", [("一般公共预算收入", "82000000000"), ("一般公共预算收入增长", "6.2")]),
    ("地区生产总值增长5.1%、达到6800亿元", [("地区生产总值增长", "5.1"), ("地区生产总值", "680000000000")]),
    ("城镇化率从58.1%提高到61.3%", [("城镇化率", "58.1"), ("城镇化率", "61.3")]),
    # a comparison in the next clause is of the clause before
    ("工业投资增长9.1%，高于全省2.3个百分点", [("工业投资增长", "9.1"), ("工业投资高于全省", "2.3")]),
    # a share after a count is the share of the clause's subject
    ("电动汽车年产量增至64万辆、占比达到38%", [("电动汽车年产量", "640000"), ("电动汽车年产量占比", "38")]),
    # a verb between two counts is no indicator
    ("市属企业由42家整合为27家", [("市属企业", "42"), ("市属企业", "27")]),
    ("85%的乡镇卫生院达到服务能力标准", [("乡镇卫生院", "85")]),
])
def test_indicators(text, expected):
    assert measured(text) == expected


@pytest.mark.parametrize("text", [
    "建成“15分钟健身圈”，方便群众",   # a number inside a quoted name
    "推进“118项目”建设",              # 项 of 项目 is not a unit
    "每千人口执业医师数提高",          # 人 of 人口 is not a unit
])
def test_numbers_inside_names_are_not_quantities(text):
    assert find_quantities(text) == []


def test_an_indicator_never_spans_punctuation_or_another_number():
    text = ("粮食产量达到280亿斤，连续5年稳定在270亿斤以上，新增高标准农田45万亩，"
            "出口、进口分别增长7.2%、3.4%，农村居民人均可支配收入21000元、增长6.5%")
    for indicator, _ in measured(text):
        assert indicator and not re.search(r"[，。；、,;]|\d", indicator), indicator


@pytest.mark.parametrize("text, value, unit", [
    ("开展法治宣传活动120场次", "120", "场次"),
    ("检查企业300余家次", "300", "家次"),
    ("人均参训40学时", "40", "学时"),
    ("评查行政执法案卷320卷", "320", "卷"),
    ("开展法治讲座12堂", "12", "堂"),
])
def test_units_of_counted_events(text, value, unit):
    q = one(text)
    assert (q.value, q.unit) == (Decimal(value), unit)


@pytest.mark.parametrize("text, expected", [
    # a period before a change is no figure, and the change is of the clause's subject
    ("森林覆盖率达到42.1%、5年提高3.2个百分点", [("森林覆盖率", "42.1"), ("森林覆盖率提高", "3.2")]),
    # 较…分别增长 after two clauses: each value is of its own clause
    ("新建农村公路3200公里，改造供水管网2100公里，较上年分别增长6.5%、12%",
     [("新建农村公路", "3200"), ("改造供水管网", "2100"), ("新建农村公路增长", "6.5"), ("改造供水管网增长", "12")]),
    # one counted character says too little: its predicate says what
    ("7个县（市）获评国家生态文明建设示范区", [("县获评国家生态文明建设示范区", "7")]),
])
def test_periods_and_values_of_earlier_clauses(text, expected):
    assert measured(text) == expected


def test_a_streak_of_years_before_a_change_is_no_quantity():
    assert find_quantities("粮食产量连续8年增长") == []


@pytest.mark.parametrize("text, expected", [
    ("地铁里程由180公里增至265公里", [("地铁里程", "180"), ("地铁里程", "265")]),
    ("形成8大系统、40个部件全覆盖的产业链", [("部件", "40")]),
])
def test_link_verbs_after_a_count_are_no_noun(text, expected):
    assert measured(text) == expected


@pytest.mark.parametrize("text", [
    "提供7×24小时在线服务",
    "开通24小时服务热线",
    "近5年来持续推进",
])
def test_service_hours_and_periods_are_not_quantities(text):
    assert find_quantities(text) == []


def test_hours_that_are_a_result_stay():
    assert one("平均响应时长1.5小时").unit == "小时"
