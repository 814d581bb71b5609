"""Stage 3, nlp: a ``spacy.blank("zh")`` pipeline with our own components, registered by name.

Each component marks one kind of mention in ``doc.spans``:

=====================  ======================  ===========================================
component              ``doc.spans`` key       what it marks
=====================  ======================  ===========================================
``policy_titles``      ``titles``              《…》 titles, nested 〈…〉 inside them
``policy_laws``        ``laws``                unbracketed laws and regulations (``kg.laws``)
``policy_agencies``    ``agencies``            agencies and organisations (full name in kb_id_)
``policy_quantities``  ``quantities``          numbers with unit and comparator
``policy_actions``     ``actions``             verbs of agencies acting on documents
``policy_initiatives`` ``initiatives``         named programmes, platforms, reforms
=====================  ======================  ===========================================

``policy_laws`` matches the known titles (``kg.laws.Gazetteer``: a core list, and the authority
list when loaded, see ``kg.authority``) with a spaCy ``PhraseMatcher``; the authority travels
in ``doc.user_data["authority"]`` (default: ``kg.authority.default_authority()``).
The pipeline is built from ``kg/pipeline.cfg`` (spaCy's config system). The report's jurisdiction (needed to complete 区司法局 → 光明区司法局) travels in
``doc.user_data["jurisdiction"]``. The tokenizer is spaCy's character segmenter, so every
character offset is a token boundary and ``doc.char_span`` never fails.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from . import actions, initiatives
from .authority import default_authority
from .laws import Gazetteer, find_laws
from .agencies import Jurisdiction, find_agencies
from .quantities import find_quantities
from .titles import find_titles

PIPELINE = ("policy_titles", "policy_laws", "policy_agencies", "policy_quantities", "policy_actions", "policy_initiatives")

for _name in ("quantity", "agency", "title", "law"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


def _text(doc: Doc) -> str:
    """``doc.text``, computed once per doc: spaCy rebuilds it from every token on each access,
    and each component needs it (a tenth of the CPU of an ingest went there)."""
    text = doc.user_data.get("text")
    if text is None:  # a doc's text never changes (the retokenizer keeps it)
        text = doc.user_data["text"] = doc.text
    return text


def _span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


@Language.component("policy_titles")
def policy_titles(doc: Doc) -> Doc:
    spans = []
    for t in find_titles(_text(doc)):
        span = _span(doc, t.start, t.end, "NESTED_TITLE" if t.nested else "TITLE")
        if span is not None:
            span._.title = t
            spans.append(span)
    doc.spans["titles"] = spans
    return doc


class LawFinder:
    """The ``policy_laws`` component: a PhraseMatcher of known titles per authority list, and the pattern."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._matchers: dict[object, tuple[Gazetteer, PhraseMatcher]] = {}

    def _matcher(self, authority) -> tuple[Gazetteer, PhraseMatcher]:
        # keyed by the list itself (one object per file and mtime, see kg.authority): counting
        # its records for a key took half the CPU of an extraction
        key = authority if authority else None
        if key not in self._matchers:
            gazetteer = Gazetteer(authority)
            matcher = PhraseMatcher(self.nlp.vocab)
            matcher.add("LAW", [self.nlp.make_doc(t) for t in gazetteer.titles()])
            self._matchers[key] = (gazetteer, matcher)
        return self._matchers[key]

    def __call__(self, doc: Doc) -> Doc:
        authority = doc.user_data["authority"] if "authority" in doc.user_data else default_authority()
        gazetteer, matcher = self._matcher(authority)
        where = doc.user_data.get("jurisdiction") or Jurisdiction()

        def known(_text: str) -> list[tuple[int, int]]:
            return [(s.start_char, s.end_char) for s in matcher(doc, as_spans=True)]

        spans = []
        for law in find_laws(_text(doc), where, gazetteer, known):
            span = _span(doc, law.start, law.end, "LAW")
            if span is not None:
                span._.law = law
                span.kb_id_ = law.title
                spans.append(span)
        doc.spans["laws"] = spans
        return doc


@Language.factory("policy_laws")
def make_policy_laws(nlp: Language, name: str) -> LawFinder:
    return LawFinder(nlp)


@Language.component("policy_agencies")
def policy_agencies(doc: Doc) -> Doc:
    where = doc.user_data.get("jurisdiction") or Jurisdiction()
    spans = []
    for a in find_agencies(_text(doc), where):
        span = _span(doc, a.start, a.end, "GOV" if a.is_government else "ORG")
        if span is not None:
            span._.agency = a
            spans.append(span)
    doc.spans["agencies"] = spans
    return doc


@Language.component("policy_quantities")
def policy_quantities(doc: Doc) -> Doc:
    titles = [(s.start_char, s.end_char) for s in doc.spans.get("titles", [])]
    spans = []
    for q in find_quantities(_text(doc)):
        if any(a <= q.start < b for a, b in titles):
            continue  # numbers inside a title (…方案(2025-2026年)) are part of the name
        span = _span(doc, q.start, q.end, "QUANTITY")
        if span is not None:
            span._.quantity = q
            spans.append(span)
    doc.spans["quantities"] = spans
    return doc


@Language.component("policy_actions")
def policy_actions(doc: Doc) -> Doc:
    spans = []
    for verb in actions.find_verbs(_text(doc)):
        span = _span(doc, verb.start, verb.end, verb.action)
        if span is not None:
            spans.append(span)
    doc.spans["actions"] = spans
    return doc


@Language.component("policy_initiatives")
def policy_initiatives(doc: Doc) -> Doc:
    titles = [(s.start_char, s.end_char) for s in doc.spans.get("titles", [])]
    spans = []
    for item in initiatives.find_initiatives(_text(doc), titles):
        span = _span(doc, item.start, item.end, "INITIATIVE")
        if span is not None:
            span.kb_id_ = item.name
            spans.append(span)
    doc.spans["initiatives"] = spans
    return doc


CONFIG = Path(__file__).with_name("pipeline.cfg")


@lru_cache(maxsize=None)
def build_pipeline(config: str | None = None) -> Language:
    """The pipeline built from its config (``kg/pipeline.cfg``, or ``$POLICY_KG_PIPELINE``):
    ``spacy.blank("zh")``'s character segmenter plus our components, by name."""
    from spacy.util import load_config, load_model_from_config

    path = Path(config or os.environ.get("POLICY_KG_PIPELINE") or CONFIG)
    return load_model_from_config(load_config(path), auto_fill=True)


def annotate(text: str, jurisdiction: Jurisdiction | None = None, nlp: Language | None = None,
             authority=False) -> Doc:
    """Run the pipeline over one sentence (or any text); ``authority``: the list of laws to know
    (default: ``default_authority()``; None: the core list only)."""
    nlp = nlp or build_pipeline()
    doc = nlp.make_doc(text)
    doc.user_data["text"] = text
    doc.user_data["jurisdiction"] = jurisdiction or Jurisdiction()
    if authority is not False:
        doc.user_data["authority"] = authority
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc
