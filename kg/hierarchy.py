"""Which body a government body belongs to, where its name makes it certain.

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
