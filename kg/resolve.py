"""Stage 5, resolve: canonical names and stable IRIs for what a report mentions.

* documents: a defined or generic abbreviation (下称《条例》, 《条例》, 纲要（草案）) is the document
  it abbreviates; drafts (…（征求意见稿）) are the document; variant titles of one document
  (…管理暂行办法 / …暂行管理办法) are one node; the authority list, when loaded, gives the full
  title (民营经济促进法 → 中华人民共和国民营经济促进法), level, dates and status.
* agencies: 我局 is the reporting agency; 深圳市光明区司法局 and 光明区司法局 are one node.
* IRIs are a pure function of the canonical name (``kg.graph.vocab.entity_iri``).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import URIRef

from kg.extract.actions import implemented_inside
from kg.extract.agencies import REGION_PREFIX, Jurisdiction
from kg.authority import Authority, LawRecord
from kg.extract.facts import Extraction
from kg.extract.titles import level_and_rule, strip_draft, variant_key
from kg.graph.vocab import entity_iri
from kg.graph.vocab import fold as _fold

# The same names are folded again and again (each mention, each key): kept for a process.
fold = lru_cache(maxsize=1 << 16)(_fold)


@dataclass
class Document:
    iri: URIRef
    title: str
    level: str
    aliases: set[str] = field(default_factory=set)
    mentions: list[int] = field(default_factory=list)
    implements: list[URIRef] = field(default_factory=list)
    record: LawRecord | None = None
    issuers: list["Agency"] = field(default_factory=list)
    level_rule: str = ""   # why it has its level (``kg extract --explain``)


@dataclass
class Agency:
    iri: URIRef
    name: str
    region: str
    admin_level: str
    is_government: bool
    aliases: set[str] = field(default_factory=set)


@dataclass
class Region:
    iri: URIRef
    name: str
    admin_level: str
    part_of: URIRef | None = None


@dataclass
class Initiative:
    iri: URIRef
    name: str
    mentions: list[int] = field(default_factory=list)


@dataclass
class Resolution:
    documents: list[Document]
    document_of: dict[int, Document]       # mention index -> document
    agencies: list[Agency]
    agency_of: dict[int, Agency]           # agency mention index -> agency
    reporting: Agency
    regions: dict[str, Region]
    initiatives: list[Initiative]
    initiative_of: dict[int, Initiative]


def agency_key(name: str) -> str:
    """深圳市光明区司法局 and 光明区司法局 share a key: a city before a district is dropped."""
    match = REGION_PREFIX.match(name)
    if match and match.group("city") and match.group("district"):
        start = match.start("city")
        name = name[:start] + name[match.end("city"):]
    if name.startswith("中共") and not name.endswith(("委员会", "委")):
        name = name[2:]
    return fold(name)


def resolve(ex: Extraction, authority: Authority | None = None) -> Resolution:
    where = Jurisdiction.parse(ex.report.meta.agency, ex.report.meta.title, ex.report.meta.jurisdiction)
    regions = _regions(where)
    documents, document_of = _documents(ex, authority)
    agencies, agency_of, reporting = _agencies(ex, where, regions)
    _issuers(ex, documents, agencies, where, regions)
    initiatives, initiative_of = _initiatives(ex)
    return Resolution(documents, document_of, agencies, agency_of, reporting, regions, initiatives, initiative_of)


# --- documents ----------------------------------------------------------------------

def _documents(ex: Extraction, authority: Authority | None) -> tuple[list[Document], dict[int, Document]]:
    groups: list[Document] = []
    by_key: dict[object, Document] = {}
    document_of: dict[int, Document] = {}
    order = sorted(range(len(ex.documents)), key=lambda i: (ex.documents[i].nested, not ex.documents[i].bracketed, i))
    for i in order:
        mention = ex.documents[i]
        if mention.abbreviation_of == "":
            continue  # a short name with nothing to abbreviate: not a document
        name = mention.abbreviation_of or strip_draft(mention.title)
        record = authority.lookup(name) if authority else None
        if record is not None:
            name = record.full_name
        keys = [fold(name), variant_key(name)]
        if name.startswith("中华人民共和国"):
            keys.append(fold(name[len("中华人民共和国"):]))
        else:
            keys.append(fold("中华人民共和国" + name)) if re.search(r"法$", name) else None
        doc = next((by_key[k] for k in keys if k in by_key), None)
        if doc is None:
            doc = Document(iri=URIRef(""), title=name, level="", record=record)
            groups.append(doc)
        for k in keys:
            by_key.setdefault(k, doc)
        doc.mentions.append(i)
        if mention.title != doc.title:
            doc.aliases.add(mention.title)
        written = _written(ex, mention)
        if written and written != doc.title:
            doc.aliases.add(written)  # 民营经济促进条例 for 福建省民营经济促进条例
        if doc.record is None and record is not None:
            doc.record = record
        document_of[i] = doc
    for doc in groups:
        doc.iri = entity_iri("document", doc.title)
        doc.aliases.discard(doc.title)
        doc.level, doc.level_rule = _level(doc, ex)
    for doc in groups:
        for inner in implemented_inside(doc.title):
            target = by_key.get(fold(strip_draft(inner))) or by_key.get(variant_key(strip_draft(inner)))
            if target is not None and target is not doc:
                doc.implements.append(target.iri)
    return groups, document_of


def _written(ex: Extraction, mention) -> str:
    """An unbracketed title as the text writes it (the found title may carry the report's region)."""
    if mention.bracketed or mention.abbreviation_of is not None:
        return ""
    return strip_draft(ex.report.text[mention.start:mention.end].strip())


def _level(doc: Document, ex: Extraction) -> tuple[str, str]:
    """The level of a document and the rule that gave it: the authority list, else the words
    around a mention where they differ from the title's own level, else the title."""
    if doc.record is not None and doc.record.level != "other":
        return doc.record.level, f"authority list: {doc.record.full_name} is {doc.record.level}"
    cued = Counter(ex.documents[i].level for i in doc.mentions
                   if ex.documents[i].level != ex.documents[i].title_level and not ex.documents[i].abbreviation_of)
    if cued:
        level = cued.most_common(1)[0][0]
        i = next(i for i in doc.mentions if ex.documents[i].level == level and not ex.documents[i].abbreviation_of)
        return level, _rule(ex, i, context=True)
    own = [ex.documents[i].title_level for i in doc.mentions if not ex.documents[i].abbreviation_of]
    level = Counter(own).most_common(1)[0][0] if own else ex.documents[doc.mentions[0]].title_level
    return level, level_and_rule(doc.title)[1] if level_and_rule(doc.title)[0] == level else _rule(ex, doc.mentions[0])


def _rule(ex: Extraction, i: int, context: bool = False) -> str:
    """The rule ``kg.extract.titles.level_and_rule`` applied to mention ``i`` (with its words around it)."""
    m = ex.documents[i]
    if not context:
        return level_and_rule(m.title)[1]
    sentence = ex.segmented.sentences[m.sentence]
    text, start, end = sentence.text, m.start - sentence.start, m.end - sentence.start
    return level_and_rule(m.title, text[:start], text[end:], text)[1]


# --- agencies and regions -----------------------------------------------------------

def _regions(where: Jurisdiction) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    parent = None
    for name, level in ((where.province, "provincial"), (where.city, "municipal"), (where.district, "district")):
        if name:
            region = Region(entity_iri("region", name), name, level, parent)
            regions[name] = region
            parent = region.iri
    return regions


def _region(regions: dict[str, Region], name: str, admin_level: str, where: Jurisdiction) -> Region | None:
    if not name:
        return None
    if name in ("国家", "全国", "中央", "党中央", "国务院"):
        name, admin_level = "中华人民共和国", "national"
    match = REGION_PREFIX.match(name)
    if match and match.group("district") and match.group("city"):
        name = match.group("district")
    if name not in regions:
        parent = None
        if admin_level == "district" and where.city:
            parent = regions.get(where.city)
        regions[name] = Region(entity_iri("region", name), name, admin_level, parent.iri if parent else None)
    return regions[name]


def _agencies(ex: Extraction, where: Jurisdiction, regions: dict[str, Region]):
    meta = ex.report.meta
    reporting_name = meta.agency or meta.title or meta.id
    reporting_region = where.most_specific
    reporting = Agency(entity_iri("agency", agency_key(reporting_name)), _display(reporting_name), reporting_region,
                       _level_of_region(where), True)
    reporting_key = agency_key(reporting_name)
    agencies = {reporting_key: reporting}
    agency_of = {}
    for i, mention in enumerate(ex.agencies):
        key = reporting_key if mention.reporting else agency_key(mention.name)
        agency = agencies.get(key)
        if agency is None:
            agency = Agency(entity_iri("agency", key), _display(mention.name), mention.region, mention.admin_level,
                            mention.is_government)
            agencies[key] = agency
        if mention.surface != agency.name and not mention.reporting:
            agency.aliases.add(mention.surface)
        if mention.name != agency.name:
            agency.aliases.add(mention.name)
        agency_of[i] = agency
    for agency in agencies.values():
        if agency.region:
            _region(regions, agency.region, agency.admin_level, where)
    return list(agencies.values()), agency_of, reporting


def _issuers(ex: Extraction, documents: list[Document], agencies: list[Agency], where: Jurisdiction,
             regions: dict[str, Region]) -> None:
    """eli:passed_by: the body a document's title begins with (not a mention of the report)."""
    by_key = {agency_key(a.name): a for a in agencies}
    for doc in documents:
        for i in doc.mentions:
            fact = ex.documents[i].issuer
            if fact is None:
                continue
            key = agency_key(fact.name)
            agency = by_key.get(key)
            if agency is None:
                agency = Agency(entity_iri("agency", key), _display(fact.name), fact.region, fact.admin_level,
                                fact.is_government)
                by_key[key] = agency
                agencies.append(agency)
                if agency.region:
                    _region(regions, agency.region, agency.admin_level, where)
            if agency not in doc.issuers:
                doc.issuers.append(agency)


def _display(name: str) -> str:
    """The label of an agency: the name as its key reads (光明区司法局, not 深圳市光明区司法局);
    a party body keeps its full region (中共深圳市光明区委员会)."""
    if name.startswith("中共"):
        return name
    match = REGION_PREFIX.match(name)
    if match and match.group("city") and match.group("district"):
        return name[:match.start("city")] + name[match.end("city"):]
    return name


def _level_of_region(where: Jurisdiction) -> str:
    if where.district:
        return "district"
    if where.city:
        return "municipal"
    if where.province:
        return "provincial"
    return "national"


def region_for(resolution: Resolution, agency: Agency, where: Jurisdiction | None = None) -> Region | None:
    if not agency.region:
        return None
    name = agency.region
    if name in ("国家", "全国", "中央", "党中央", "国务院"):
        name = "中华人民共和国"
    match = REGION_PREFIX.match(name)
    if match and match.group("district") and match.group("city"):
        name = match.group("district")
    return resolution.regions.get(name)


# --- initiatives --------------------------------------------------------------------

def _initiatives(ex: Extraction):
    by_key: dict[str, Initiative] = {}
    initiative_of = {}
    for i, fact in enumerate(ex.initiatives):
        name = fact.name.strip("“”\"「」 ")
        key = fold(name)
        if not key:
            continue
        item = by_key.get(key)
        if item is None:
            item = by_key[key] = Initiative(entity_iri("initiative", key), name)
        item.mentions.append(i)
        initiative_of[i] = item
    return list(by_key.values()), initiative_of
