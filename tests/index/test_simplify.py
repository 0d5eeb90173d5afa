"""Traditional Chinese documents are matched through their simplified form and cited as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.simplify import to_simplified
from index.hybrid import HybridIndex, SearchMode
from index.tokenize import Tokenizer
from tests.index.helpers import HashEmbedder, make_clause, toy_clauses

TRADITIONAL = "推行企業開辦「一網通辦」，將企業開辦時間壓縮至3個工作日以內。"


def test_to_simplified_converts_characters_and_leaves_simplified_text_alone() -> None:
    assert to_simplified("牽頭單位：市發展改革委") == "牵头单位：市发展改革委"
    simplified = "推行企业开办一网通办，牵头单位：市市场监管局"
    assert to_simplified(simplified) == simplified
    assert to_simplified("plain ASCII 2024") == "plain ASCII 2024"


def test_tokenizer_cuts_traditional_and_simplified_text_into_the_same_terms() -> None:
    tok = Tokenizer()
    assert tok("牽頭單位負責企業開辦") == tok("牵头单位负责企业开办")
    assert "企业" in tok(TRADITIONAL)


def test_tokenizer_config_round_trips_and_old_configs_keep_their_fingerprint() -> None:
    tok = Tokenizer()
    assert tok.to_config()["simplify"] == "opencc-t2s"
    assert Tokenizer.from_config(tok.to_config()).fingerprint() == tok.fingerprint()
    old = Tokenizer(simplify=False)
    assert "simplify" not in old.to_config()  # as indexes saved before the option wrote it
    restored = Tokenizer.from_config(old.to_config())
    assert restored.fingerprint() == old.fingerprint() and restored("開辦") == ["開辦"]


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_simplified_question_finds_a_traditional_clause_cited_as_written(tmp_path: Path, mode: SearchMode) -> None:
    clauses = [*toy_clauses()[1:], make_clause(TRADITIONAL, source="tw.txt", lead_units=["市市場監管局"])]
    index = HybridIndex.build(clauses, HashEmbedder(), Tokenizer(), tmp_path / "idx", progress=False)
    top = index.search("企业开办一网通办压缩时间", mode=mode, top_k=1)[0].clause
    assert top.source == "tw.txt"
    assert top.text == TRADITIONAL and top.lead_units == ("市市場監管局",)  # the document's own characters
