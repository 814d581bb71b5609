"""Agencies: full names from context, abbreviations expanded, organisations kept apart."""
from __future__ import annotations

import pytest

from kg.agencies import Jurisdiction, find_agencies

DISTRICT = Jurisdiction.parse("深圳市光明区政务服务和数据管理局", "光明区")
CITY = Jurisdiction.parse("深圳市政务服务和数据管理局", "深圳市")
PROVINCE = Jurisdiction.parse("浙江省人民政府")


def names(sentence, where):
    return [(a.name, a.admin_level) for a in find_agencies(sentence, where)]


@pytest.mark.parametrize("sentence, where, expected", [
    ("与区司法局等有关部门常态化沟通", DISTRICT, [("光明区司法局", "district")]),
    ("针对区委统战部、区卫健局等19个部门", DISTRICT, [("光明区委统战部", "district"), ("光明区卫生健康局", "district")]),
    ("在区委、区政府的坚强领导下", DISTRICT, [("光明区委", "district"), ("光明区人民政府", "district")]),
    ("以市政府办公厅名义印发", CITY, [("深圳市人民政府办公厅", "municipal")]),
    ("正按程序提请市政府审议", CITY, [("深圳市人民政府", "municipal")]),
    ("被国家发展改革委纳入典型经验", CITY, [("国家发展和改革委员会", "national")]),
    ("得到国家数据局认可", CITY, [("国家数据局", "national")]),
    ("省司法厅组织开展评查", PROVINCE, [("浙江省司法厅", "provincial")]),
    ("联合惠州市惠阳区司法局开展活动", DISTRICT, [("惠州市惠阳区司法局", "district")]),
])
def test_government_bodies(sentence, where, expected):
    assert names(sentence, where) == expected


def test_organisations_are_not_agencies():
    found = find_agencies("指导深圳数据交易所与亚洲商业法律研究所共同发布指引，授权深圳征信公司使用数据", CITY)
    assert [(a.name, a.is_government, a.admin_level) for a in found] == [
        ("深圳数据交易所", False, "other"), ("亚洲商业法律研究所", False, "other"), ("深圳征信公司", False, "other")]


@pytest.mark.parametrize("sentence", [
    "办理市政协委员提案46件",  # 办理 is a verb, not a city named 办理市
    "全区各数源单位开展目录编制",
    "依托区数据共享平台完成匹配",
])
def test_no_false_regions(sentence):
    for a in find_agencies(sentence, DISTRICT):
        assert not a.name.startswith(("办理", "全区", "依托"))


def test_abbreviated_region_needs_a_known_jurisdiction():
    assert find_agencies("区司法局开展培训", Jurisdiction()) == []


def test_jurisdiction_from_names():
    assert Jurisdiction.parse("深圳市光明区政务服务和数据管理局") == Jurisdiction("", "深圳市", "光明区")
    assert Jurisdiction.parse("北京市海淀区司法局").district == "海淀区"


def test_municipalities_are_their_own_city():
    where = Jurisdiction.parse("北京市海淀区司法局")
    assert [a.name for a in find_agencies("配合市司法局开展评查", where)] == ["北京市司法局"]
