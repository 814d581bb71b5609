"""What the extractor finds in one report, before names are resolved to nodes.

Every fact keeps its sentence (index into ``Segmented.sentences``) and its character span
``start``/``end`` in the report text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kg.read import Report
from kg.extract.segment import Segmented


@dataclass
class DocumentMention:
    sentence: int
    start: int
    end: int
    title: str             # as written, without the outer 《》
    level: str             # the level the words around this mention suggest
    title_level: str       # the level the title alone suggests
    nested: bool = False   # an inner 〈…〉 of another title
    bracketed: bool = True
    abbreviation_of: str | None = None  # set when this mention is a defined or generic short name
    container: int | None = None        # index of the outer title of a nested one
    issuer: "AgencyMentionFact | None" = None  # the body a title begins with (某市人民政府关于…的通知)


@dataclass
class AgencyMentionFact:
    sentence: int
    start: int
    end: int
    surface: str
    name: str
    region: str
    admin_level: str
    is_government: bool
    reporting: bool = False


@dataclass
class ActionFact:
    sentence: int
    start: int
    end: int
    action: str
    document: int          # index into Extraction.documents
    year: int
    verb: str = ""


@dataclass
class QuantityFact:
    kind: str              # "metric" or "target"
    sentence: int
    start: int
    end: int
    text: str
    indicator: str
    value: Decimal
    unit: str
    comparator: str
    year: int
    upper: Decimal | None = None
    qualifier: str = ""


@dataclass
class CommitmentFact:
    sentence: int
    start: int
    end: int
    text: str
    year: int
    documents: list[int] = field(default_factory=list)


@dataclass
class InitiativeFact:
    sentence: int
    start: int
    end: int
    name: str


@dataclass
class Extraction:
    report: Report
    segmented: Segmented
    documents: list[DocumentMention] = field(default_factory=list)
    agencies: list[AgencyMentionFact] = field(default_factory=list)
    actions: list[ActionFact] = field(default_factory=list)
    quantities: list[QuantityFact] = field(default_factory=list)
    commitments: list[CommitmentFact] = field(default_factory=list)
    initiatives: list[InitiativeFact] = field(default_factory=list)

    @property
    def year(self) -> int:
        return int(self.report.meta.year or 0)

    @property
    def plan_year(self) -> int:
        return self.year + 1
