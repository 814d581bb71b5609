"""Unbracketed titles of laws and regulations (落实民营经济促进法, 推动出台民营经济促进条例).

Two finders, both on a sentence whose 《》 titles are masked:

* **pattern** (works without any list): a governing verb or a run of them (制定, 出台, 修订,
  审议通过, 落实, 贯彻 …; ``lexicons/governing_verbs.tsv``) + an optional region (福建省, 本市,
  我省, 市) + a name + the head noun of a legal document kind (法, 法典, 条例, 规定, 办法, 细则,
  规则) + a clean boundary (punctuation, 和/及/等, 配套, 实施 …). Titles joined to it by 、/和/及
  are taken too. A compound verb never starts a title (the whole run is the verb); names never
  start with a quantity (3部条例) or a determiner (相关规定, 具体办法), and a 法 never closes an
  ordinary word (执法, 做法; ``lexicons/ordinary_fa.txt``).
* **gazetteer**: the short and full titles of the authority list (``kg.authority``) in a spaCy
  ``PhraseMatcher``, bracketed or not, of at least three characters (宪法 and 刑法 excepted), each
  ending in a legal head and followed by a clean boundary.

A name without a region in a province's or city's report is that body's own rule when the
verb makes one (制定/出台/修订 …) or when nothing says it is national: 制定民营经济促进条例 in a
福建 report is 福建省民营经济促进条例 (the short form stays its alias); 本省, 我市, 全市 and a
bare 市/省 before the name are read as the report's region. Laws (法) are national; names that
start with 中华人民共和国, 国家, 全国 or 国务院 are national; a name the authority list knows
without a region, under an applying verb, is that national title.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg import lexicons
from kg.extract.agencies import Jurisdiction
from kg.extract.titles import PROVINCES, is_generic_short, mask_titles

CJK = "\u4e00-\u9fff"
VERB_KIND = lexicons.kinds("governing_verbs.tsv")
VERB = lexicons.alternation(VERB_KIND)
ORDINARY_FA = lexicons.words("ordinary_fa.txt")
DETERMINERS = lexicons.words("determiners.txt")
NATIONAL_START = ("中华人民共和国", "国家", "全国", "国务院", "中央")
SHORT_LAWS = ("宪法", "刑法")  # the only two-character titles a gazetteer match may be
ORDINARY_FA_BEFORE = "".join(sorted({w[-2] for w in ORDINARY_FA if len(w) == 2}))
LEGAL_HEAD = "法典|(?<![" + ORDINARY_FA_BEFORE + "])法|条例|实施细则|细则|实施办法|暂行办法|办法|若干规定|规定|规则"
# A character every title found here holds: each LEGAL_HEAD, 决定 and each LEGAL_END has one.
LEGAL_CHARACTER = re.compile(r"[法例则定释]")
LEGAL_END = re.compile(r"(?:法典|法|条例|细则|办法|规定|规则|决定|解释)(?:[（(][^（）()]{1,12}[)）])?$")

# the report's own region, named by a word: 本省, 我市, 全市; a bare 市/省 right before the name
NOT_REGION_AFTER = r"(?!委|级|属|直|内|外|际|份|长|会|场|区|县|政|容|民(?!营))"  # 省委, 市级, 市场, 市民 …
REGION_WORD = (r"(?:本|我|全)(?:省|市|区|县)|(?:省|市)" + NOT_REGION_AFTER + r"(?=[" + CJK + r"]{2})")
REGION_WORD_ONLY = re.compile(r"^(?:本|我|全)?(?:省|市|区|县)$")
# a region written out: a province, then maybe a city (2-3 characters + 市/州) and a county
EXPLICIT_REGION = (r"(?:(?:" + "|".join(PROVINCES) + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)?"
                   r"(?:[" + CJK + r"]{2,3}?(?:市|自治州))?(?:[" + CJK + r"]{2,3}?县)?"
                   r"|[" + CJK + r"]{2,4}?经济特区)")
NAME_CHAR = r"(?:(?![和及与等的、])[" + CJK + r"])"
NAME = (r"(?P<region>" + EXPLICIT_REGION + "|" + REGION_WORD + r")?"
        r"(?P<name>(?:中华人民共和国)?" + NAME_CHAR + r"{1,28}|关于[^，。；：,;:]{2,40}?的)"
        r"(?P<head>" + LEGAL_HEAD + r"|(?<=的)决定)")
# what may follow a title: punctuation, a conjunction, or words about the rule itself
BOUNDARY = (r"(?=$|[^" + CJK + r"]|和|及|与|以及|等|配套|草案|修订草案|第|实施|施行|落地|出台|颁布|修订|修改|相关|有关|宣传|学习|宣讲|宣贯|"
            r"培训|进|知识|规定|要求|的|中|贯彻|执行|主题|专题|普法|颁行|生效|明确|提出|宣誓|不一致|不相符|相抵触|相冲突)")
PATTERN = re.compile(r"(?P<verb>(?:" + VERB + r")+)(?:好|了)?(?:新修订的?|修订后的|新出台的?|最新)?" + NAME + BOUNDARY)
# the title as the subject of its own coming into force: ，民营经济促进条例正式施行
ENACTED = "颁布实施|正式施行|正式实施|施行|颁布|出台|修订出台|制定出台|落地实施|实施以来"
SUBJECT = re.compile(r"(?:^|(?<=[，。；：,;:\s]))(?:推动|确保|力争|争取|加快|积极)?" + NAME
                     + r"(?=(?P<enacted>(?:已|正式|顺利)?(?:" + ENACTED + r")))")
CHAIN = re.compile(r"(?:、|和|及|与|以及)" + NAME + BOUNDARY)
QUANTITY_START = re.compile(r"^(?:(?:全国|国内|全省|全市|省内|市内)?(?:首部|首个|第一部)|"
                            r"[0-9０-９一二两三四五六七八九十百千几多数]+[部件项个批条余]|一批|多部|若干)")
MIN_NAME = {"法": 2, "法典": 2, "条例": 2}  # other heads (办法, 规定 …) want 4 characters of name


class Gazetteer:
    """Known titles: the core list (``lexicons/core_laws.tsv``) and, when loaded, the authority list."""

    def __init__(self, authority=None):
        self.authority = authority
        self._core: dict[str, tuple[str, str]] = {}
        for name, level in lexicons.entries("core_laws.tsv"):
            full = "中华人民共和国" + name if level in ("law", "constitution") else name
            self._core[name] = self._core[full] = (full, level)

    def lookup(self, title: str) -> tuple[str, str] | None:
        """(full title, level) of a known title, or None."""
        record = self.authority.lookup(title) if self.authority else None
        if record is not None:
            return record.full_name, record.level
        return self._core.get(title) or self._core.get(title.removeprefix("中华人民共和国"))

    def titles(self) -> list[str]:
        """The titles worth matching in running text: legal heads, three characters or 宪法/刑法."""
        names = set(self._core)
        if self.authority:
            names |= set(self.authority.titles())
        return sorted(n for n in names if LEGAL_END.search(n) and (len(n) >= 3 or n in SHORT_LAWS))


@dataclass(frozen=True)
class BareTitle:
    start: int        # offsets of the title as written in the sentence
    end: int
    written: str      # as written: 民营经济促进条例, 市民营经济促进条例
    title: str        # the full title: 福建省民营经济促进条例
    rule: str         # how it was found


def find_laws(text: str, where: Jurisdiction | None = None, gazetteer: Gazetteer | None = None,
              matcher=None) -> list[BareTitle]:
    """Unbracketed law and regulation titles in one sentence (《》 titles are skipped).

    ``matcher``: a callable giving (start, end) offsets of the gazetteer's titles in the text
    (``kg.extract.nlp`` passes its spaCy ``PhraseMatcher``); without it only the pattern runs.
    """
    if not LEGAL_CHARACTER.search(text):  # nine sentences in ten: no head of a legal title, nothing to find
        return []
    where = where or Jurisdiction()
    gazetteer = gazetteer or Gazetteer()
    masked = mask_titles(text)
    found = _by_pattern(masked, where, gazetteer)
    if matcher is not None:
        found += _by_gazetteer(masked, matcher(text), gazetteer)
    return _longest_first(found)


def _by_pattern(masked: str, where: Jurisdiction, gazetteer: Gazetteer) -> list[BareTitle]:
    out: list[BareTitle] = []
    for m in SUBJECT.finditer(masked):  # the subject of 颁布实施, 正式施行: the body's own new rule
        found = _accept(m, "make", where, gazetteer, None, f"subject of {m.group('enacted')}")
        if found is not None:
            out.append(found)
    for m in PATTERN.finditer(masked):
        verbs = re.findall(VERB, m.group("verb"))
        kind = "make" if any(VERB_KIND.get(v) == "make" for v in verbs) else "apply"  # 出台实施: made
        first = _accept(m, kind, where, gazetteer, None, f"verb {m.group('verb')}")
        if first is None:
            continue
        out.append(first)
        pos, inherited = m.end(), first
        while True:
            c = CHAIN.match(masked, pos)
            if not c:
                break
            item = _accept(c, kind, where, gazetteer, inherited, f"listed after {inherited.written}")
            if item is None:
                break
            out.append(item)
            pos = c.end()
    return out


def _accept(m: re.Match, kind: str, where: Jurisdiction, gazetteer: Gazetteer, listed_after: BareTitle | None,
            how: str) -> BareTitle | None:
    region, name, head = m.group("region") or "", m.group("name"), m.group("head")
    written = region + name + head
    bare = name + head
    if not _good_name(name, head) or is_generic_short(bare):
        return None
    start = m.start("region") if region else m.start("name")
    rule = f"{how} + head {head}"
    if region and not REGION_WORD_ONLY.match(region):
        return BareTitle(start, m.end("head"), written, written, rule + f" + region {region}")
    own = _own_region(region, where, kind, listed_after)
    national = bare.startswith(NATIONAL_START) or head in ("法", "法典") and "实施" not in name
    if region:  # 本市, 我省, 市 …: the report's region
        if not own:
            return None if head not in ("法", "法典", "条例") else BareTitle(start, m.end("head"), written, bare, rule)
        return BareTitle(start, m.end("head"), written, own + bare, rule + f" + {region} = {own}")
    if _starts_with_region(bare, where):  # 组织起草深圳市政务数据共享管理办法: the region is written
        return BareTitle(start, m.end("head"), written, bare, rule + " + region written")
    record = gazetteer.lookup(bare)
    if national or (record is not None and record[1] != "local-regulation" and kind == "apply"):
        return BareTitle(start, m.end("head"), written, record[0] if record else bare, rule)
    if own and (head == "条例" or kind == "make" or listed_after is not None):
        return BareTitle(start, m.end("head"), written, own + bare, rule + f" + region {own} of the report")
    if head == "条例" or record is not None:
        return BareTitle(start, m.end("head"), written, bare, rule)
    return None  # an unregioned 办法/规定 nobody knows: too weak to be a title


def _own_region(region_word: str, where: Jurisdiction, kind: str, listed_after: BareTitle | None) -> str:
    """The region a title without one belongs to: the report's, where the report's body makes rules."""
    if region_word:
        letter = region_word[-1]
        if letter == "区" and not where.district and where.province.endswith("自治区"):
            return where.province  # 全区 in an autonomous region's report
        return where.expand(letter)
    listed_region = re.match(EXPLICIT_REGION, listed_after.title) if listed_after is not None else None
    if listed_region:  # 落实重庆市平安建设条例、社区工作者管理办法: the list's region
        return listed_region.group(0)
    if where.district and kind != "make":
        return ""  # a district body applies rules; an unregioned one is not its own
    return where.city or where.province


CITY_START = re.compile(r"^[" + CJK + r"]{1,3}(?<![城都超门股楼夜上集])(?:市|州|盟)(?!场|民(?!营)|政|容|级|属)")


def _starts_with_region(name: str, where: Jurisdiction) -> bool:
    """A name that begins with a region: the report's own (深圳市, 深圳) or another city (厦门市)."""
    own = [r for r in (where.province, where.city, where.district) if r]
    own += [r[:-1] for r in own if len(r) > 2]
    return name.startswith(tuple(own)) or bool(CITY_START.match(name))


def _good_name(name: str, head: str) -> bool:
    core = name.removeprefix("中华人民共和国")
    if name.startswith("关于"):
        return True
    if len(core) < MIN_NAME.get(head, 4):
        return False
    if QUANTITY_START.match(core) or core.startswith(DETERMINERS) or re.match(VERB, core):
        return False
    if head == "法" and (core + head).endswith(ORDINARY_FA):
        return False
    return True


def _by_gazetteer(masked: str, spans: list[tuple[int, int]], gazetteer: Gazetteer) -> list[BareTitle]:
    out = []
    for start, end in spans:
        written = masked[start:end]
        if "\u3000" in written or not LEGAL_END.search(written):
            continue
        if len(written) < 3 and written not in SHORT_LAWS:
            continue
        if not re.match(BOUNDARY, masked[end:]) or masked[end:end + 1] == "规" and masked[end:end + 2] != "规定":
            continue
        record = gazetteer.lookup(written)
        out.append(BareTitle(start, end, written, record[0] if record else written,
                             f"known title ({record[1] if record else '?'})"))
    return out


def _longest_first(found: list[BareTitle]) -> list[BareTitle]:
    kept: list[BareTitle] = []
    for t in sorted(found, key=lambda t: (-(t.end - t.start), t.start)):
        if not any(t.start < k.end and k.start < t.end for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: t.start)


