"""Stage 5: abbreviations, variants, drafts and agencies resolve to one node each; IRIs are stable."""
from __future__ import annotations

from kg.extract import extract
from kg.read import Report, ReportMeta
from kg.resolve import agency_key, resolve
from kg.graph.vocab import entity_iri

TEXT = """2025年，我局认真做好《政务数据共享条例》（下称《条例》）的落地实施。
一、主要工作
组织《条例》宣贯培训。印发《某区公共数据授权运营暂行管理办法》。对《关于〈某区公共数据授权运营管理暂行办法〉的报告》作出批示。
起草《某区民生诉求服务管理办法（征求意见稿）》。与区司法局、深圳市光明区司法局沟通。
三、2026年工作计划
推动《某区民生诉求服务管理办法》出台。组织起草光明区数据共享管理办法。
"""


def resolved(text=TEXT):
    meta = ReportMeta(id="r1", title="深圳市光明区某局2025年法治政府建设年度报告", agency="光明区某局",
                      jurisdiction="光明区", year=2025)
    ex = extract(Report(meta=meta, text=text))
    return ex, resolve(ex)


def test_abbreviation_is_the_document_it_abbreviates():
    ex, res = resolved()
    titles = sorted(d.title for d in res.documents)
    assert "条例" not in titles
    regulation = next(d for d in res.documents if d.title == "政务数据共享条例")
    assert len(regulation.mentions) >= 2


def test_variant_titles_and_drafts_are_one_node():
    ex, res = resolved()
    titles = [d.title for d in res.documents]
    assert sum("授权运营" in t and t.endswith("办法") for t in titles) == 1
    assert titles.count("某区民生诉求服务管理办法") == 1
    assert not any("征求意见稿" in t for t in titles)


def test_unbracketed_title_after_a_certain_verb():
    ex, res = resolved()
    assert "光明区数据共享管理办法" in [d.title for d in res.documents]


def test_we_and_region_prefixes_resolve_to_one_agency():
    ex, res = resolved()
    names = sorted(a.name for a in res.agencies)
    assert names == ["光明区司法局", "光明区某局"]
    assert any(m.reporting for m in ex.agencies)  # 我局


def test_iris_are_a_function_of_the_canonical_name():
    ex, res = resolved()
    regulation = next(d for d in res.documents if d.title == "政务数据共享条例")
    assert regulation.iri == entity_iri("document", "《政务数据共享条例》")
    assert agency_key("深圳市光明区司法局") == agency_key("光明区司法局")
    _, again = resolved()
    assert sorted(d.iri for d in again.documents) == sorted(d.iri for d in res.documents)


def test_a_body_a_title_begins_with_issues_it_and_is_not_a_mention():
    text = "一、主要工作\n贯彻落实《国务院关于加强数字政府建设的指导意见》和《云溪市人民政府关于印发数据工作方案的通知》。"
    ex, res = resolved(text)
    issued = {d.title: [a.name for a in d.issuers] for d in res.documents}
    assert issued["国务院关于加强数字政府建设的指导意见"] == ["国务院"]
    assert issued["云溪市人民政府关于印发数据工作方案的通知"] == ["云溪市人民政府"]
    assert not [m for m in ex.agencies if not m.reporting]


PROVINCIAL = """一、2025年工作回顾
认真落实海洋经济促进法，推动出台湿地保护条例。话剧《灯塔》《归帆》获奖。
二、2026年工作安排
落实好海洋经济促进法和省湿地保护条例，审议通过《福建省国民经济和社会发展第十五个五年规划纲要草案》。
"""


def provincial(text=PROVINCIAL, authority=None):
    meta = ReportMeta(id="p1", title="2026年福建省政府工作报告", agency="福建省人民政府", jurisdiction="福建省",
                      year=2025)
    ex = extract(Report(meta=meta, text=text))
    return ex, resolve(ex, authority)


def test_a_provinces_own_regulation_carries_the_province_and_the_short_form_is_an_alias():
    ex, res = provincial()
    docs = {d.title: d for d in res.documents}
    wetland = docs["福建省湿地保护条例"]
    assert wetland.level == "local-regulation" and len(wetland.mentions) == 2
    assert {"湿地保护条例", "省湿地保护条例"} <= wetland.aliases
    assert docs["海洋经济促进法"].level == "law"  # newer than any list: levelled from its title
    assert docs["灯塔"].level == docs["归帆"].level == "creative-work"
    assert docs["福建省国民经济和社会发展第十五个五年规划纲要草案"].level == "policy-document"


def test_every_document_says_why_it_has_its_level():
    from kg.authority import Authority, LawRecord

    ex, res = provincial()
    rules = {d.title: d.level_rule for d in res.documents}
    assert rules["福建省湿地保护条例"] == "head 条例 + issuer 福建省 (province)"
    assert rules["归帆"] == "genre 话剧 before the title"
    authority = Authority([LawRecord("海洋经济促进法", "中华人民共和国海洋经济促进法", "law")], source="test")
    ex, res = provincial(authority=authority)
    law = next(d for d in res.documents if d.title == "中华人民共和国海洋经济促进法")
    assert law.level_rule == "authority list: 中华人民共和国海洋经济促进法 is law"
