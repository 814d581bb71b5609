"""Bounds on the work one report may cost: mentions per sentence, mentions per report, seconds.

A small hostile report (1.7 MB of 100,000 《》 titles) once cost 325 s, 6 GB and 1.9 million
triples; 1 MB of one-character sentences cost 15 s and 1.2 GB. A :class:`Budget` is started for each report; the extractor counts the mentions of
each kind (document titles, agencies, quantities …) sentence by sentence and checks the clock,
and the pipeline checks the clock between its stages. Past a limit the report is refused with
:class:`LimitExceeded`: one line naming the limit and the setting that raises it.

=======================================  =======  ==================================================
setting                                  default  the largest real report (seeds, corpus-dev)
=======================================  =======  ==================================================
``POLICY_KG_MAX_MENTIONS_PER_SENTENCE``  200      17 quantities in one sentence
``POLICY_KG_MAX_MENTIONS_PER_REPORT``    5000     297 quantities, 207 initiatives in one report
``POLICY_KG_MAX_SENTENCES_PER_REPORT``  20000    548 sentences (each sentence's spaCy doc is kept
                                                  while the report is read: 1.2 GB for 170,000)
``POLICY_KG_MAX_REPORT_SECONDS``         120      0.35 s for a whole report
=======================================  =======  ==================================================
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

PER_SENTENCE_ENV = "POLICY_KG_MAX_MENTIONS_PER_SENTENCE"
PER_REPORT_ENV = "POLICY_KG_MAX_MENTIONS_PER_REPORT"
SENTENCES_ENV = "POLICY_KG_MAX_SENTENCES_PER_REPORT"
SECONDS_ENV = "POLICY_KG_MAX_REPORT_SECONDS"
DEFAULTS = {PER_SENTENCE_ENV: 200, PER_REPORT_ENV: 5000, SENTENCES_ENV: 20000, SECONDS_ENV: 120}

# what each kind of mention is called in an error line
KINDS = {"titles": "document titles", "documents": "documents", "agencies": "agencies",
         "quantities": "quantities", "actions": "action verbs", "initiatives": "initiatives",
         "commitments": "commitments"}


class LimitExceeded(ValueError):
    """A report costs more than a limit allows; the message names the limit and its setting."""


class BadSetting(ValueError):
    """A limit's environment variable is not a positive number."""


def setting(name: str) -> float:
    """The value of one limit's environment variable (its default when unset)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return DEFAULTS[name]
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise BadSetting(f"{name}={text!r} is not a positive number (default {DEFAULTS[name]})")
    return value


@dataclass
class Budget:
    """The limits of one report and what it has used so far."""
    per_sentence: int
    per_report: int
    seconds: float
    sentences: int = DEFAULTS[SENTENCES_ENV]
    started: float = field(default_factory=time.monotonic)
    used: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> "Budget":
        """The limits set in the environment (:data:`DEFAULTS` otherwise); :class:`BadSetting`."""
        return cls(per_sentence=int(setting(PER_SENTENCE_ENV)), per_report=int(setting(PER_REPORT_ENV)),
                   seconds=setting(SECONDS_ENV), sentences=int(setting(SENTENCES_ENV)))

    def sentence_count(self, count: int) -> None:
        """The report has ``count`` sentences: checked before any of them is annotated."""
        if count > self.sentences:
            raise LimitExceeded(f"{count} sentences, more than the {self.sentences} a report may have "
                                f"(set {SENTENCES_ENV} to allow more)")

    def sentence(self, kind: str, count: int, line: int) -> None:
        """``count`` mentions of ``kind`` in the sentence at ``line``: checked against both limits."""
        name = KINDS.get(kind, kind)
        if count > self.per_sentence:
            raise LimitExceeded(f"{count} {name} in the sentence at line {line}, more than the "
                                f"{self.per_sentence} a sentence may have (set {PER_SENTENCE_ENV} to allow more)")
        total = self.used[kind] = self.used.get(kind, 0) + count
        self.total(kind, total, line)

    def total(self, kind: str, total: int, line: int) -> None:
        """``total`` mentions of ``kind`` up to ``line``: checked against the limit per report."""
        if total > self.per_report:
            raise LimitExceeded(f"{total} {KINDS.get(kind, kind)} by line {line}, more than the "
                                f"{self.per_report} a report may have (set {PER_REPORT_ENV} to allow more)")

    def clock(self, stage: str) -> None:
        """Refuse the report when it has taken more than its seconds (``stage``: where it was)."""
        if time.monotonic() - self.started > self.seconds:
            raise LimitExceeded(f"took more than the {self.seconds:g} s a report may take (stopped in {stage}; "
                                f"set {SECONDS_ENV} to allow more)")
