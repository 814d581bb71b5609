"""Stage 3, nlp: a ``spacy.blank("zh")`` pipeline with our own components, registered by name.

Each component marks one kind of mention in ``doc.spans``:

=====================  ======================  ===========================================
component              ``doc.spans`` key       what it marks
=====================  ======================  ===========================================
``policy_titles``      ``titles``              《…》 titles, nested 〈…〉 inside them
``policy_laws``        ``laws``                unbracketed laws and regulations (``kg.extract.laws``)
``policy_agencies``    ``agencies``            agencies and organisations (full name in kb_id_)
``policy_quantities``  ``quantities``          numbers with unit and comparator
``policy_actions``     ``actions``             verbs of agencies acting on documents
``policy_initiatives`` ``initiatives``         named programmes, platforms, reforms
=====================  ======================  ===========================================

``policy_laws`` matches the known titles (``kg.extract.laws.Gazetteer``: a core list, and the authority
list when loaded, see ``kg.authority``) with a spaCy ``PhraseMatcher``; the authority travels
in ``doc.user_data["authority"]`` (default: ``kg.authority.default_authority()``).
The pipeline is built from ``kg/extract/pipeline.cfg`` (spaCy's config system). The report's jurisdiction (needed to complete 区司法局 → 光明区司法局) travels in
``doc.user_data["jurisdiction"]``. The tokenizer is spaCy's character segmenter, so every
character offset is a token boundary and ``doc.char_span`` never fails.

Each component is a :class:`Component`: its ``find(text, marks, context)`` marks plain text
(:class:`Mark`: offsets, text, label, kb id, extensions), and calling it on a doc turns the
marks into spans. Extraction (``kg.extract``) uses :class:`Marker`: the pipeline's components,
in the config's order, on the plain text of each sentence without whitespace, where each
character is one token and the marks are exactly the doc's spans (``tests/test_nlp.py`` checks
every sentence of the corpora); a sentence with whitespace goes through the doc. No spaCy doc
is made for the others: making one per sentence was most of an extraction's CPU. On plain text
``policy_laws`` finds the known titles with an Aho-Corasick automaton (pyahocorasick) of the
``PhraseMatcher``'s keys.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kg.extract import actions, initiatives
from kg.authority import default_authority
from kg.extract.laws import Gazetteer, find_laws
from kg.extract.agencies import Jurisdiction, find_agencies
from kg.extract.quantities import find_quantities
from kg.extract.titles import find_titles

PIPELINE = ("policy_titles", "policy_laws", "policy_agencies", "policy_quantities", "policy_actions", "policy_initiatives")
EXTENSIONS = ("quantity", "agency", "title", "law")

for _name in EXTENSIONS:
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)

WHITESPACE = re.compile(r"\s")


class Mark:
    """One mention a component marked: offsets in the sentence, text, label, kb id and our
    extensions, i.e. what a span of ``doc.spans`` holds, without the doc and its tokens
    (``mark._.title`` reads as ``span._.title``)."""
    __slots__ = ("start_char", "end_char", "text", "label_", "kb_id_") + EXTENSIONS

    def __init__(self, start: int, end: int, text: str, label: str, kb_id: str = "", quantity=None, agency=None,
                 title=None, law=None) -> None:
        self.start_char, self.end_char, self.text, self.label_, self.kb_id_ = start, end, text, label, kb_id
        self.quantity, self.agency, self.title, self.law = quantity, agency, title, law

    @property
    def _(self) -> "Mark":
        """The extensions (``mark._.agency``), as on a spaCy span."""
        return self

    @classmethod
    def of(cls, span: Span) -> "Mark":
        x = span._
        return cls(span.start_char, span.end_char, span.text, span.label_, span.kb_id_,
                   quantity=x.quantity, agency=x.agency, title=x.title, law=x.law)

    def __eq__(self, other) -> bool:
        return isinstance(other, Mark) and self._key() == other._key()

    def _key(self) -> tuple:
        x = self._
        return (self.start_char, self.end_char, self.text, self.label_, self.kb_id_, x.quantity, x.agency, x.title,
                x.law)

    def __repr__(self) -> str:
        return f"Mark({self.start_char}, {self.end_char}, {self.text!r}, {self.label_!r}, {self.kb_id_!r})"


@dataclass(frozen=True)
class Context:
    """What a component knows besides the text: the report's jurisdiction, the authority list,
    and the spaCy doc when it runs inside a spaCy pipeline (None on plain text)."""
    jurisdiction: Jurisdiction
    authority: object = None
    doc: Doc | None = None

    @classmethod
    def of(cls, doc: Doc) -> "Context":
        authority = doc.user_data["authority"] if "authority" in doc.user_data else default_authority()
        return cls(doc.user_data.get("jurisdiction") or Jurisdiction(), authority, doc)


class Component:
    """A component of ours: :meth:`find` marks one kind of mention in a sentence's plain text
    (given the marks of the components before it); called on a spaCy ``Doc`` it puts them in
    ``doc.spans[key]`` as spans. On text without whitespace every character is one token, so
    the marks and the spans agree (``find_marks`` relies on it)."""
    key = ""

    def __init__(self, nlp: Language, name: str = "") -> None:
        self.nlp, self.name = nlp, name

    def find(self, text: str, marks, context: Context) -> list[Mark]:
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for mark in self.find(_text(doc), doc.spans, Context.of(doc)):
            span = _span(doc, mark.start_char, mark.end_char, mark.label_)
            if span is None:
                continue
            if mark.kb_id_:
                span.kb_id_ = mark.kb_id_
            x = mark._
            for name in EXTENSIONS:
                value = getattr(x, name)
                if value is not None:
                    span._.set(name, value)
            spans.append(span)
        doc.spans[self.key] = spans
        return doc


def _text(doc: Doc) -> str:
    """``doc.text``, computed once per doc: spaCy rebuilds it from every token on each access,
    and each component needs it (a tenth of the CPU of an ingest went there)."""
    text = doc.user_data.get("text")
    if text is None:  # a doc's text never changes (the retokenizer keeps it)
        text = doc.user_data["text"] = doc.text
    return text


def _span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


def _offsets(marks) -> list[tuple[int, int]]:
    return [(m.start_char, m.end_char) for m in marks]


class TitleFinder(Component):
    key = "titles"

    def find(self, text: str, marks, context: Context) -> list[Mark]:
        return [Mark(t.start, t.end, text[t.start:t.end], "NESTED_TITLE" if t.nested else "TITLE", title=t)
                for t in find_titles(text)]


class LawFinder(Component):
    """The ``policy_laws`` component: the known titles per authority list (a spaCy
    ``PhraseMatcher`` on a doc, an Aho-Corasick automaton of the same titles on plain text), and
    the pattern."""
    key = "laws"

    def __init__(self, nlp: Language, name: str = "") -> None:
        super().__init__(nlp, name)
        self._gazetteers: dict[object, Gazetteer] = {}
        self._matchers: dict[object, PhraseMatcher] = {}
        self._automata: dict[object, KnownTitles] = {}

    def _gazetteer(self, authority) -> Gazetteer:
        # keyed by the list itself (one object per file and mtime, see kg.authority): counting
        # its records for a key took half the CPU of an extraction
        key = authority if authority else None
        if key not in self._gazetteers:
            self._gazetteers[key] = Gazetteer(authority)
        return self._gazetteers[key]

    def _matcher(self, authority) -> PhraseMatcher:
        key = authority if authority else None
        if key not in self._matchers:
            matcher = PhraseMatcher(self.nlp.vocab)
            matcher.add("LAW", [self.nlp.make_doc(t) for t in self._gazetteer(authority).titles()])
            self._matchers[key] = matcher
        return self._matchers[key]

    def _automaton(self, authority) -> "KnownTitles":
        key = authority if authority else None
        if key not in self._automata:
            self._automata[key] = KnownTitles(self._gazetteer(authority).titles())
        return self._automata[key]

    def find(self, text: str, marks, context: Context) -> list[Mark]:
        gazetteer = self._gazetteer(context.authority)
        if context.doc is not None:
            matcher, doc = self._matcher(context.authority), context.doc

            def known(_text: str) -> list[tuple[int, int]]:
                return [(s.start_char, s.end_char) for s in matcher(doc, as_spans=True)]
        else:
            known = self._automaton(context.authority).find
        return [Mark(law.start, law.end, text[law.start:law.end], "LAW", law.title, law=law)
                for law in find_laws(text, context.jurisdiction, gazetteer, known)]


class KnownTitles:
    """Every occurrence of known titles in a text without whitespace (overlapping ones too), as
    the ``PhraseMatcher`` of the character tokens finds them: one Aho-Corasick pass (pyahocorasick)
    instead of a spaCy doc per sentence. A title's key is its tokens' texts joined (民法典 人格权编
    → 民法典人格权编: a single space after a character is no token); a key with whitespace left
    cannot match such a text and is left out."""

    def __init__(self, titles: list[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for title in titles:
            key = title
            if WHITESPACE.search(title):
                from spacy.util import get_words_and_spaces

                key = "".join(get_words_and_spaces(list(title), title)[0])
                if WHITESPACE.search(key):
                    continue
            if key:
                self._automaton.add_word(key, len(key))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int]]:
        if self._empty:
            return []
        return sorted((end + 1 - size, end + 1) for end, size in self._automaton.iter(text))


class AgencyFinder(Component):
    key = "agencies"

    def find(self, text: str, marks, context: Context) -> list[Mark]:
        return [Mark(a.start, a.end, text[a.start:a.end], "GOV" if a.is_government else "ORG", agency=a)
                for a in find_agencies(text, context.jurisdiction)]


class QuantityFinder(Component):
    key = "quantities"

    def find(self, text: str, marks, context: Context) -> list[Mark]:
        titles = _offsets(marks.get("titles", []))
        return [Mark(q.start, q.end, text[q.start:q.end], "QUANTITY", quantity=q) for q in find_quantities(text)
                if not any(a <= q.start < b for a, b in titles)]  # numbers inside a title (…方案(2025-2026年)) are part of the name


class ActionFinder(Component):
    key = "actions"

    def find(self, text: str, marks, context: Context) -> list[Mark]:
        return [Mark(start, end, text[start:end], action) for start, end, action in actions.verb_offsets(text)]


class InitiativeFinder(Component):
    key = "initiatives"

    def find(self, text: str, marks, context: Context) -> list[Mark]:
        titles = _offsets(marks.get("titles", []))
        return [Mark(i.start, i.end, text[i.start:i.end], "INITIATIVE", i.name)
                for i in initiatives.find_initiatives(text, titles)]


for _name, _cls in zip(PIPELINE, (TitleFinder, LawFinder, AgencyFinder, QuantityFinder, ActionFinder,
                                  InitiativeFinder)):
    Language.factory(_name, func=_cls)


CONFIG = Path(__file__).with_name("pipeline.cfg")


@lru_cache(maxsize=None)
def build_pipeline(config: str | None = None) -> Language:
    """The pipeline built from its config (``kg/extract/pipeline.cfg``, or ``$POLICY_KG_PIPELINE``):
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


class Marker:
    """``marker(text)``: what :func:`annotate` puts in ``doc.spans``, as :class:`Mark` lists,
    component by component in the pipeline's order, for the sentences of one report (its
    jurisdiction and authority list). A text without whitespace (each character one token,
    offsets always aligned) goes through our components' ``find`` on the plain text, without a
    spaCy doc; a text with whitespace, or a pipeline with a component that is not ours, through
    the doc."""

    def __init__(self, jurisdiction: Jurisdiction | None = None, nlp: Language | None = None, authority=False):
        self.nlp = nlp or build_pipeline()
        self.jurisdiction, self.authority = jurisdiction, authority
        components = [component for _, component in self.nlp.pipeline]
        self.components = components if all(isinstance(c, Component) for c in components) else None
        self.context = Context(jurisdiction or Jurisdiction(),
                               default_authority() if authority is False else authority)

    def __call__(self, text: str) -> dict[str, list[Mark]]:
        if self.components is None or WHITESPACE.search(text):
            doc = annotate(text, self.jurisdiction, self.nlp, self.authority)
            return {key: [Mark.of(span) for span in spans] for key, spans in doc.spans.items()}
        marks: dict[str, list[Mark]] = {}
        for component in self.components:
            marks[component.key] = component.find(text, marks, self.context)
        return marks


def find_marks(text: str, jurisdiction: Jurisdiction | None = None, nlp: Language | None = None,
               authority=False) -> dict[str, list[Mark]]:
    """The marks of one text (see :class:`Marker`, which spares the set-up for many sentences)."""
    return Marker(jurisdiction, nlp, authority)(text)
