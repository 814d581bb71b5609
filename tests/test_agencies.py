"""Agencies: full names from context, abbreviations expanded, organisations kept apart."""
from __future__ import annotations

import pytest

from kg.extract.agencies import Jurisdiction, find_agencies

DISTRICT = Jurisdiction.parse("深圳市光明区政务服务和数据管理局", "光明区")
CITY = Jurisdiction.parse("深圳市政务服务和数据管理局", "深圳市")
PROVINCE = Jurisdiction.parse("浙江省人民政府")


def names(sentence, where):
    return [(a.name, a.admin_level) for a in find_agencies(sentence, where)]


@pytest.mark.parametrize("sentence, where, expected", [
    ("与区司法局等有关部门常态化沟通", DISTRICT, [("光明区司法局", "district")]),
    ("针对区委统战部、区卫健局等19个部门", DISTRICT, [("中共深圳市光明区委统战部", "district"), ("光明区卫生健康局", "district")]),
    ("在区委、区政府的坚强领导下", DISTRICT, [("中共深圳市光明区委员会", "district"), ("光明区人民政府", "district")]),
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


# Party bodies in full, committee offices with their committee, short forms completed from the
# report's region, organisations never starting with a verb (passages written for these tests).
COUNTY = Jurisdiction.parse("湖南省长沙县司法局", "长沙县")
PROVINCE_JS = Jurisdiction.parse("江苏省人民政府", "江苏省")


@pytest.mark.parametrize("sentence, where, expected", [
    ("区委依法治区办印发年度工作要点", DISTRICT, ["中共深圳市光明区委全面依法治区委员会办公室"]),
    ("市委依法治市办组织开展督察", CITY, ["中共深圳市委全面依法治市委员会办公室"]),
    ("县委全面依法治县委员会办公室召开会议", COUNTY, ["中共长沙县委全面依法治县委员会办公室"]),
    ("在区委的领导下，区政府办牵头", DISTRICT, ["中共深圳市光明区委员会", "光明区人民政府办公室"]),
    ("区法院、区检察院联合发布案例", DISTRICT, ["光明区人民法院", "光明区人民检察院"]),
    ("县委宣传部开展普法宣传", COUNTY, ["中共长沙县委宣传部"]),
    ("中共深圳市委召开会议", CITY, ["中共深圳市委员会"]),
    ("办理区政协委员提案12件", DISTRICT, ["中国人民政治协商会议深圳市光明区委员会"]),
    ("省委、省政府部署", PROVINCE_JS, ["中共江苏省委员会", "江苏省人民政府"]),
])
def test_party_bodies_and_short_forms(sentence, where, expected):
    assert [a.name for a in find_agencies(sentence, where)] == expected


@pytest.mark.parametrize("sentence, where, expected", [
    ("组建省物流集团，服务实体经济", PROVINCE_JS, ["江苏省物流集团"]),
    ("推动省产业技术研究院改革", PROVINCE_JS, ["江苏省产业技术研究院"]),
])
def test_organisations_never_start_with_a_verb(sentence, where, expected):
    assert [a.name for a in find_agencies(sentence, where)] == expected


@pytest.mark.parametrize("sentence", [
    "党中央、国务院高度重视",            # the national party centre is not a local committee
    "各级党委政府压实责任",              # 党委 without a region names no body
])
def test_no_party_body_without_a_region(sentence):
    assert not any(a.name.startswith("中共") for a in find_agencies(sentence, DISTRICT))


@pytest.mark.parametrize("sentence, expected", [
    ("区委全面依法治区委员会召开全体会议", ["中共深圳市光明区委全面依法治区委员会"]),
    ("区纪委监委开展专项监督", ["中共深圳市光明区纪律检查委员会"]),
    ("区委编办、区委网信办联合部署", ["中共深圳市光明区委机构编制委员会办公室",
                                   "中共深圳市光明区委网络安全和信息化委员会办公室"]),
])
def test_party_committees_and_offices_of_a_district(sentence, expected):
    assert [a.name for a in find_agencies(sentence, DISTRICT)] == expected


def test_a_counted_class_of_organisations_is_no_organisation():
    assert find_agencies("新建省工程研究中心各20家", PROVINCE_JS) == []


def test_a_party_committee_keeps_its_full_name_as_a_node():
    from kg.extract import extract
    from kg.read import Report, ReportMeta
    from kg.resolve import resolve

    meta = ReportMeta(id="r1", title="深圳市光明区某局2025年法治政府建设年度报告", agency="光明区某局",
                      jurisdiction="光明区", year=2025)
    text = "在区委的坚强领导下，我局落实中共深圳市光明区委员会部署，区委依法治区办开展督察。"
    res = resolve(extract(Report(meta=meta, text=text)))
    names = {a.name: a.aliases for a in res.agencies}
    assert "区委" in names["中共深圳市光明区委员会"]
    assert "中共深圳市光明区委全面依法治区委员会办公室" in names
    assert not any(n.startswith("光明区委") for n in names)


@pytest.mark.parametrize("sentence, expected", [
    ("区城管和综合执法局、区公安分局联合执法", ["光明区城管和综合执法局", "光明区公安分局"]),
    ("联合马田街道办开展普法", ["光明区马田街道办事处"]),
    ("区委区政府高度重视", ["中共深圳市光明区委员会", "光明区人民政府"]),
    ("团区委、区妇联、区残联共同举办", ["共青团深圳市光明区委员会", "光明区妇女联合会", "光明区残疾人联合会"]),
    ("区委党校开设法治课程", ["中共深圳市光明区委党校"]),
    ("中央依法治国办开展督察", ["中央全面依法治国委员会办公室"]),
    ("配合司法部开展试点", ["司法部"]),
    ("市规划和自然资源局光明管理局审批", ["深圳市规划和自然资源局光明管理局"]),
])
def test_bodies_no_list_holds(sentence, expected):
    assert [a.name for a in find_agencies(sentence, DISTRICT)] == expected


@pytest.mark.parametrize("sentence", [
    "优化省属企业投资布局",        # 布局 ends in 局 but names no body
    "加强市场监管执法",            # 市场 is no city
    "推进区域协调发展格局",
    "各街道办事处落实",            # every street office: no one body
    "全区各单位",
])
def test_words_that_only_look_like_bodies(sentence):
    assert find_agencies(sentence, DISTRICT) == []


def test_a_street_office_refers_to_itself():
    from kg.extract.agencies import SELF_REFERENCE

    assert SELF_REFERENCE.search("我街道深入开展普法").group(0) == "我街道"


STREET = Jurisdiction.parse("深圳市光明区凤凰街道办事处", "凤凰街道")


def test_a_street_office_knows_its_street():
    assert STREET == Jurisdiction("", "深圳市", "光明区", "凤凰街道")


@pytest.mark.parametrize("sentence, expected", [
    ("在街道党工委的坚强领导下", ["中共深圳市光明区凤凰街道工作委员会"]),
    ("凤凰街道党工委书记带头讲法治课", ["中共深圳市光明区凤凰街道工作委员会"]),
    ("街道办事处联合区司法局开展普法", ["光明区凤凰街道办事处", "光明区司法局"]),
    ("各街道办事处", []),
])
def test_a_street_office_report_names_its_own_bodies(sentence, expected):
    assert [a.name for a in find_agencies(sentence, STREET)] == expected


def test_without_a_street_a_bare_street_office_is_no_body():
    assert find_agencies("在街道党工委的领导下", DISTRICT) == []


@pytest.mark.parametrize("sentence, expected", [
    ("全国政协委员视察", ["中国人民政治协商会议全国委员会"]),
    ("全国人大常委会执法检查组", ["全国人民代表大会常务委员会"]),
    ("全国法院系统", []),
    ("全国工商联开展营商环境评价", ["中华全国工商业联合会"]),
])
def test_national_bodies_written_with_quanguo(sentence, expected):
    assert [a.name for a in find_agencies(sentence, PROVINCE)] == expected


@pytest.mark.parametrize("sentence, expected", [
    ("区公共法律服务中心、区融媒体中心联合制作普法短视频", ["光明区公共法律服务中心", "光明区融媒体中心"]),
    ("区矛盾纠纷调处化解中心受理纠纷", ["光明区矛盾纠纷调处化解中心"]),
    ("区综合行政执法大队、区安委办开展检查", ["光明区综合行政执法大队", "光明区安委办"]),
    ("全区举办活动，推动区内企业通办", []),   # 举办, 通办 are verbs, not offices
])
def test_centres_teams_and_offices_of_a_district(sentence, expected):
    assert [a.name for a in find_agencies(sentence, DISTRICT)] == expected
