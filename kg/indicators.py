"""Indicators as things: the SKOS concept a target or a metric measures.

``indicator_for(text, unit)`` gives the :class:`Indicator` of an indicator as the extractor
wrote it (kg.extract.quantities) and the quantity's unit. The common macro indicators of government
work reports are seeded by hand in ``ontology/indicators.ttl`` (地区生产总值增长 / GDP增速 /
经济增长, 城镇调查失业率 …, with English labels, unit and direction); every other indicator is a
concept of its own, named by its normal form and its unit, so that

* the same quantity written two ways shares one node (全省地区生产总值增长 = 经济增长; 开展专题
  宣讲 20场 = 专题宣讲 25场: counts of things done are named by what is counted);
* two different quantities never do: a growth rate and a level (地区生产总值增长 % ≠ 地区生产
  总值 元), the growth of GDP and of revenue, a yearly rate and a multi-year average (增长 ≠ 年均
  增长), and any two units that cannot be converted (个 ≠ 家, % ≠ 个百分点) stay apart.

Units of one dimension are converted for comparison (:func:`comparable`): mass (斤, 公斤, 吨)
and persons counted as 人 or 名.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.graph.vocab import BASE, PKG, digest, fold

INDICATOR = f"{BASE}scheme/indicator/"
DIRECTIONS = ("up", "down", "neutral")

# Units of one quantity, as (dimension, factor to the dimension's base unit).
UNIT_DIMENSIONS: dict[str, tuple[str, Decimal]] = {
    "斤": ("mass", Decimal("0.5")), "公斤": ("mass", Decimal(1)), "千克": ("mass", Decimal(1)),
    "吨": ("mass", Decimal(1000)), "克": ("mass", Decimal("0.001")),
    "人": ("persons", Decimal(1)), "名": ("persons", Decimal(1)), "位": ("persons", Decimal(1)),
    "百分点": ("个百分点", Decimal(1)), "工作日": ("个工作日", Decimal(1)),
}
BASE_UNITS = {"mass": "公斤", "persons": "人"}
# Where an indicator says whose it is, not what it measures: 全省地区生产总值增长 = 地区生产总值增长.
SCOPE_LEAD = re.compile(r"^(?:全省|全市|全区|全县|全州|全盟|全旗|全镇|全国|我省|我市|我区|我县|本省|本市|本区|本县|今年|明年|全年)+")
# Words that lead a clause without changing the quantity (预期, 力争 …).
EMPTY_LEAD = re.compile(r"^(?:预期|预计|力争|争取|确保|实现|完成|达到|主要|其中|努力|继续|保持|全年|累计|共)+")
# Words that end a clause before its number without changing the quantity (粮食产量继续保持 …).
EMPTY_TAIL = re.compile(r"(?:继续保持|继续稳定|保持在|稳定在|保持|继续|力争|确保)$")
# Verbs of doing before what is counted (开展专题宣讲20场 = 专题宣讲20场): dropped for counts only.
DOING_LEAD = re.compile(r"^(?:开展|组织|举办|举行|召开|实施|完成|办理|受理|发放|建成|建设|新建|打造|培育|开工|评查|"
                        r"化解|调解|推动|推进|出台|制定|修订|起草|审查|审核|培训|参训|编制|印发)")
# Units that are rates or durations, not counts of things.
NOT_COUNTS = ("%", "‰", "个百分点", "百分点", "倍", "元", "美元", "年", "个月", "天", "日", "周", "小时", "分钟", "秒",
              "个工作日", "工作日")
DURATIONS = ("个工作日", "工作日", "天", "日", "小时", "分钟", "秒", "个月")
LOWER_IS_BETTER = re.compile(r"失业率|发生率|死亡率|事故|时长|用时|时限|逾期|投诉量|差错率|不良率|复议纠错率|败诉率")


@dataclass(frozen=True)
class Indicator:
    """One indicator concept: its IRI, Chinese label, unit, direction and whether it is seeded."""
    iri: URIRef
    label: str
    unit: str
    direction: str = "up"
    seeded: bool = False
    english: str = ""
    alt_labels: tuple[str, ...] = field(default_factory=tuple)


def dimension(unit: str) -> tuple[str, Decimal]:
    """The dimension a unit measures and its factor to that dimension's base unit (斤 → mass, 0.5)."""
    return UNIT_DIMENSIONS.get(unit, (unit, Decimal(1)))


def comparable(unit_a: str, unit_b: str) -> bool:
    """Whether values in the two units measure the same kind of quantity (斤 and 吨 do; 个 and 家 do not)."""
    return dimension(unit_a)[0] == dimension(unit_b)[0]


def in_base(value: Decimal, unit: str) -> Decimal:
    """``value`` in the base unit of its unit's dimension (100斤 → 50 of mass in kg)."""
    return value * dimension(unit)[1]


def normal_form(text: str, unit: str) -> str:
    """The indicator as the key two reports share: NFKC, no quotes or spaces, no scope word
    (全省, 我市), no empty lead (预期, 力争), 增速/增幅 read as 增长; for counts of things done also no
    verb of doing (开展, 举办 …: by what is counted), no empty tail (继续保持). Empty when nothing is left."""
    form = fold(text).replace("“", "").replace("”", "")
    for _ in range(3):
        form = EMPTY_TAIL.sub("", EMPTY_LEAD.sub("", SCOPE_LEAD.sub("", form))) or form
    form = re.sub(r"(?:增速|增幅)$", "增长", form)
    form = re.sub(r"按增长$", "增长", form)
    if unit not in NOT_COUNTS:
        stripped = DOING_LEAD.sub("", form)
        if len(stripped) >= 2:
            form = stripped
    return form


@lru_cache(maxsize=None)
def seeded() -> dict[str, Indicator]:
    """The hand-seeded concepts of ontology/indicators.ttl by every label (normal form) they have."""
    from kg.queries import project_dir

    graph = Graph().parse(project_dir() / "ontology" / "indicators.ttl", format="turtle")
    out: dict[str, Indicator] = {}
    for concept in sorted(set(graph.subjects(RDF.type, PKG.Indicator))):
        labels = {lit.language: str(lit) for lit in graph.objects(concept, SKOS.prefLabel)}
        alts = tuple(sorted(str(lit) for lit in graph.objects(concept, SKOS.altLabel)))
        unit = str(graph.value(concept, PKG.unit))
        item = Indicator(URIRef(concept), labels["zh"], unit, str(graph.value(concept, PKG.direction)),
                         True, labels.get("en", ""), alts)
        for label in (item.label, *alts):
            out[normal_form(label, unit)] = item
    return out


@lru_cache(maxsize=65536)
def indicator_for(text: str, unit: str) -> Indicator:
    """The concept a quantity of ``unit`` with indicator ``text`` measures (see the module doc)."""
    form = normal_form(text, unit) or fold(text) or unit
    seed = seeded().get(form)
    if seed is not None and comparable(seed.unit, unit):
        return seed
    base = dimension(unit)[0]
    return Indicator(URIRef(f"{INDICATOR}t-{digest(form, base)}"), form, BASE_UNITS.get(base, base),
                     direction_of(form, unit))


def direction_of(form: str, unit: str) -> str:
    """Whether more is better ("up") or less ("down") for an indicator formed from the text:
    durations and rates of bad things (失业率, 事故) go down; everything else up."""
    if unit in DURATIONS or LOWER_IS_BETTER.search(form):
        return "down"
    return "up"


# What add_indicator writes for every quantity, looked up once (rdflib's RDF.type costs a microsecond).
TYPE, CONCEPT, IN_SCHEME, PREF_LABEL, ALT_LABEL = RDF.type, SKOS.Concept, SKOS.inScheme, SKOS.prefLabel, SKOS.altLabel
RDFLIB_LITERALS = SimpleNamespace(text=Literal, tagged=lambda value, lang: Literal(value, lang=lang))


def add_indicator(graph: Graph, node: URIRef, text: str, unit: str, literals=None) -> Indicator:
    """Link the target or metric ``node`` to its indicator concept (pkg:measures) and describe
    the concept in ``graph`` (each report graph carries the concepts it uses, so it validates alone).
    ``literals`` makes the literals (``text``, ``tagged``: kg.graph.rdf's form of the graph; default
    rdflib Literals)."""
    t = literals or RDFLIB_LITERALS
    item = indicator_for(text, unit)
    graph.add((node, PKG.measures, item.iri))
    concept = item.iri
    graph.add((concept, TYPE, CONCEPT))
    graph.add((concept, TYPE, PKG.Indicator))
    graph.add((concept, IN_SCHEME, PKG.Indicators))
    graph.add((concept, PREF_LABEL, t.tagged(item.label, "zh")))
    if item.english:
        graph.add((concept, PREF_LABEL, t.tagged(item.english, "en")))
    for alt in {text, *item.alt_labels} - {item.label, ""}:
        graph.add((concept, ALT_LABEL, t.tagged(alt, "zh")))
    graph.add((concept, PKG.unit, t.text(item.unit)))
    graph.add((concept, PKG.direction, t.text(item.direction)))
    return item
