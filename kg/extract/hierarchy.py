"""Which body a government body belongs to, where its name makes it certain, and whether it is
a Party body or a state organ.

``org:subOrganizationOf`` is written only for names whose form settles it:

* a working department of a people's government — the region's name, then a bureau or a
  provincial department (``光明区司法局``, ``深圳市政务服务和数据管理局``, ``广东省司法厅``) or the
  government's general office (``光明区人民政府办公室``) — belongs to that region's people's government
  (``光明区人民政府``);
* a street office (``光明区马田街道办事处``) is an agency sent out by the district's
  government and belongs to it.

Nothing else is guessed: a branch (``…公安局光明分局``) belongs to its city bureau, not to the
district; courts, procuratorates, people's congresses, CPPCC committees, supervisory
commissions and Party bodies are not parts of a government; a bureau named without its region
has no certain parent.
"""
from __future__ import annotations

import re

GOVERNMENT = "人民政府"
_REGION_END = ("省", "市", "区", "县", "旗", "州", "盟", "自治区", "自治州", "自治县")
# Bodies that are never a working department of a government, whatever their ending.
_NOT_DEPARTMENTS = re.compile(
    r"分局|派出所|中共|党委|党组|委员会|人民代表大会|人大|政治协商|政协|人民法院|法院|人民检察院|检察院|"
    r"监察|纪律检查|纪委|武装部|工会|共青团|妇女联合会|妇联|残疾人联合会|残联|工商业联合会|"
    r"科学技术协会|科协|学校|医院|中心$|公司|集团|银行")
_STREET = re.compile(r"^(?P<street>[\u4e00-\u9fff]{1,8}街道)办事处$")


def parent_body(name: str, region: str) -> str | None:
    """The canonical name of the body ``name`` (a government body of ``region``, its
    jurisdiction's name) certainly belongs to, or None."""
    if not region or not name.startswith(region) or not region.endswith(_REGION_END):
        return None
    rest = name[len(region):]
    if not rest or rest == GOVERNMENT:
        return None
    government = region + GOVERNMENT
    if rest in (GOVERNMENT + "办公室", GOVERNMENT + "办公厅"):
        return government
    if rest.startswith("委"):  # 区委…, 市委…: Party bodies
        return None
    if _STREET.match(rest):
        return government if region.endswith(("区", "县", "市", "旗")) else None
    if rest.endswith(("局", "厅")) and len(rest) >= 2 and not _NOT_DEPARTMENTS.search(rest):
        return government
    return None


# Party bodies: the Communist Party's committees, their offices and working organs, Party groups.
_PARTY = re.compile(r"^(?:中共|中国共产党)|党委|党组|党工委|党支部|党总支|纪律检查委员会|纪委|(?:省|市|区|县|州|旗)委"
                    r"(?:办公[室厅]|组织部|宣传部|统战部|政法委|编办|网信办|全面依法|依法治|巡察|党校|$)")
# State organs: people's congresses and governments with their departments and agencies,
# supervisory commissions, courts and procuratorates.
_STATE = re.compile(r"人民代表大会|人大常委会|人民政府|人民法院|人民检察院|监察委员会|街道办事处|"
                    r"(?:局|厅|委员会|办公室|中心|大队|支队)$")
_NEITHER = re.compile(r"政治协商|政协|工会|共青团|团[省市区县]委|妇女联合会|妇联|残疾人联合会|残联|"
                      r"工商业联合会|工商联|科学技术协会|科协|红十字会|文学艺术界联合会|侨联")


def body_kind(name: str) -> str | None:
    """``party`` for a body of the Communist Party (中共…委员会, 区委办公室, 党组, 纪委),
    ``state`` for an organ of the state (a people's congress, government or one of its
    departments, a supervisory commission, a court, a procuratorate, a street office), None
    for the rest (CPPCC committees, people's organisations such as 工会, 妇联, 共青团, and
    names that say neither)."""
    if _NEITHER.search(name):
        return None
    if _PARTY.search(name):
        return "party"
    if _STATE.search(name):
        return "state"
    return None
