"""The vocabulary the pipeline writes: namespaces, IRI minting and the code lists.

Everything that turns a name into an IRI lives here, so that the same regulation cited
by two reports becomes one node: IRIs are a pure function of the canonical name.
The model itself (what each node carries) is described in ``docs/model.md`` and
formalised in ``ontology/policy-kg.ttl`` and ``shapes/``.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/policy-kg/"
class _Namespace(Namespace):
    """rdflib's Namespace, remembering the terms asked for as attributes (``PKG.evidence``):
    rdflib makes a new URIRef on every access, which is a tenth of building a report graph."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term


PKG = _Namespace(BASE + "ontology#")
ID = _Namespace(BASE + "id/")
LEVEL = _Namespace(BASE + "scheme/level/")
ACTION = _Namespace(BASE + "scheme/action/")
ADMIN = _Namespace(BASE + "scheme/admin-level/")
ROLE = _Namespace(BASE + "scheme/section-role/")
OUTCOME = _Namespace(BASE + "scheme/outcome/")
ORG = _Namespace("http://www.w3.org/ns/org#")
ELI = _Namespace("http://data.europa.eu/eli/ontology#")
NIF = _Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
TIME = _Namespace("http://www.w3.org/2006/time#")

PREFIXES = {
    "pkg": str(PKG), "id": str(ID), "level": str(LEVEL), "action": str(ACTION),
    "admin": str(ADMIN), "role": str(ROLE), "org": str(ORG), "eli": str(ELI),
    "nif": str(NIF), "prov": str(PROV), "dcterms": str(DCTERMS), "skos": str(SKOS),
    "rdfs": str(RDFS), "rdf": str(RDF), "xsd": str(XSD), "owl": str(OWL), "time": str(TIME),
}

# Level codes of the question contract, with their Chinese labels.
LEVELS = {
    "constitution": "宪法", "law": "法律", "administrative-regulation": "行政法规",
    "local-regulation": "地方性法规", "department-rule": "部门规章",
    "local-government-rule": "地方政府规章", "normative-document": "规范性文件",
    "policy-document": "政策文件", "standard": "标准", "report": "报告",
    "publication": "出版物", "creative-work": "文艺作品", "other": "其他",
}
LEGAL_LEVELS = {"constitution", "law", "administrative-regulation", "local-regulation",
                "department-rule", "local-government-rule", "normative-document"}
# What agencies do with documents. The first six are "implementations" in the contract.
ACTIONS = {
    "implement": "贯彻实施", "study": "学习", "publicise": "宣传", "train": "培训",
    "clear": "清理", "draft": "起草", "issue": "印发", "plan": "计划",
}
IMPLEMENTING_ACTIONS = ("implement", "study", "publicise", "train", "clear")
ADMIN_LEVELS = {"national": "国家级", "provincial": "省级", "municipal": "市级",
                "district": "区县级", "other": "其他"}
SECTION_ROLES = {"review": "工作总结", "problems": "存在问题", "plan": "工作计划",
                 "preamble": "导语", "other": "其他"}
# What became of a commitment in the body's next report (kg.progress; ontology/schemes.ttl).
OUTCOMES = {"met": "完成", "exceeded": "超额完成", "missed": "未完成", "not-reported": "未报告", "done": "已落实"}
COMPARATORS = ("about", "at-least", "at-most", "range", "exact")


def fold(text: str) -> str:
    """The key two names are the same under: NFKC, no spaces, quotes or book brackets."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "《》〈〉<>“”\"‘’'「」『』·•")


def digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def entity_iri(kind: str, name: str) -> URIRef:
    """A stable IRI for a shared entity (document, agency, region, initiative)."""
    return ID[f"{kind}/{digest(kind, fold(name))}"]


def report_iri(report_id: str) -> URIRef:
    return ID[f"report/{safe_id(report_id)}"]


def report_graph(report_id: str) -> URIRef:
    """The named graph that holds everything one report says."""
    return ID[f"graph/{safe_id(report_id)}"]


def fact_iri(report_id: str, kind: str, *key: object) -> URIRef:
    """A fact of one report: stable across re-ingests of the same text."""
    return URIRef(fact_iri_text(report_id, kind, *key))


def fact_iri_text(report_id: str, kind: str, *key: object) -> str:
    """:func:`fact_iri` as a plain string (the N-Triples build writes it without a URIRef)."""
    return f"{ID}report/{safe_id(report_id)}/{kind}/{digest(*map(str, key))}"


SAFE_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
ESCAPE = "~"  # never in a safe id, unreserved in URLs (no client or server rewrites it)


@lru_cache(maxsize=4096)
def safe_id(report_id: str) -> str:
    """The part of a report's IRIs that names it: an id of ASCII letters, digits and ``-_.``
    is itself; in any other id each other character becomes ``~HH`` per UTF-8 byte
    (``a b`` → ``a~20b``, ``光`` → ``~E5~85~89``). The mapping is one-to-one: escaped forms
    contain ``~``, which a safe id never does, and ``~HH`` decodes back unambiguously; so
    two different ids never name one graph."""
    if all(ch in SAFE_ID_CHARS for ch in report_id):
        return report_id
    return "".join(ch if ch in SAFE_ID_CHARS
                   else "".join(f"{ESCAPE}{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass"))
                   for ch in report_id)
