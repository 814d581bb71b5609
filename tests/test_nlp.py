"""Stage 3: the spaCy pipeline is spacy.blank("zh") plus our components, registered by name."""
from __future__ import annotations

import re

import spacy

from kg.agencies import Jurisdiction
from kg.nlp import PIPELINE, annotate, build_pipeline


def test_components_are_registered_and_built_by_name():
    nlp = build_pipeline()
    assert nlp.lang == "zh" and tuple(nlp.pipe_names) == PIPELINE
    assert nlp.config["nlp"]["tokenizer"]["segmenter"] == "char"  # no model download
    fresh = spacy.blank("zh")
    for name in PIPELINE:
        fresh.add_pipe(name)  # any pipeline can use them by name
    assert fresh.pipe_names == list(PIPELINE)


def test_spans_of_every_kind():
    text = "区司法局组织2场《数据共享条例》专题培训会，依托“海滨智调”平台受理纠纷3468宗。"
    doc = annotate(text, Jurisdiction.parse("海滨区"))
    assert [s.text for s in doc.spans["titles"]] == ["《数据共享条例》"]
    assert [s._.agency.name for s in doc.spans["agencies"]] == ["海滨区司法局"]
    assert [s.text for s in doc.spans["quantities"]] == ["2场", "3468宗"]
    assert {s.label_ for s in doc.spans["actions"]} >= {"train"}
    assert [s.kb_id_ for s in doc.spans["initiatives"]] == ["海滨智调平台"]


def test_numbers_inside_titles_are_not_quantities():
    doc = annotate("印发《某区数据工作方案(2025—2026年)》")
    assert list(doc.spans["quantities"]) == []


def test_a_pipeline_from_another_config(tmp_path):
    from kg.nlp import CONFIG

    cfg = tmp_path / "titles-only.cfg"
    cfg.write_text(re.sub(r"(?m)^pipeline = \[.*\]$", 'pipeline = ["policy_titles"]',
                          CONFIG.read_text(encoding="utf-8")), encoding="utf-8")
    nlp = build_pipeline(str(cfg))
    assert nlp.pipe_names == ["policy_titles"]
    doc = annotate("印发《某区工作要点》", nlp=nlp)
    assert [s.text for s in doc.spans["titles"]] == ["《某区工作要点》"]
