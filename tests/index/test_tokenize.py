from __future__ import annotations

import json

import pytest

from index.tokenize import Tokenizer, units_from_clauses
from tests.index.helpers import make_clause


@pytest.fixture(scope="module")
def precise() -> Tokenizer:
    return Tokenizer(mode="precise", units=["市市场监管局", "市自然资源和规划局"])


def test_policy_terms_and_units_stay_whole(precise: Tokenizer) -> None:
    terms = precise("推行“一网通办”和“互联网+监管”，由市市场监管局、市自然资源和规划局负责")
    assert "一网通办" in terms
    assert "互联网+监管" in terms
    assert "市市场监管局" in terms
    assert "市自然资源和规划局" in terms


def test_question_words_and_punctuation_are_dropped(precise: Tokenizer) -> None:
    assert precise("请问哪个部门负责证照分离改革？") == ["负责", "证照分离", "改革"]
    assert precise("什么时候完成？要多久呢？") == ["完成"]


def test_search_mode_adds_subwords_but_not_of_stopwords() -> None:
    tok = Tokenizer(mode="search", units=["市市场监管局"])
    terms = tok("哪个部门牵头？市市场监管局")
    # "市市场监管局" also yields 市场, 监管, 监管局; "哪个部门" is dropped whole, "部门" included.
    assert terms == ["牵头", "市场", "监管", "监管局", "市市场监管局"]


def test_latin_is_lowercased(precise: Tokenizer) -> None:
    assert precise("推广ETC和App应用") == ["推广", "etc", "app", "应用"]


def test_own_jieba_instance_does_not_touch_the_global_dictionary() -> None:
    import jieba

    Tokenizer(lexicon=["某某专有词汇甲"])
    assert "某某专有词汇甲" not in jieba.lcut("某某专有词汇甲")


def test_config_roundtrip_is_json_and_keeps_fingerprint(precise: Tokenizer) -> None:
    config = json.loads(json.dumps(precise.to_config(), ensure_ascii=False))
    again = Tokenizer.from_config(config)
    assert again.fingerprint() == precise.fingerprint()
    text = "推进多评合一，市市场监管局牵头"
    assert again(text) == precise(text)


def test_fingerprint_changes_with_settings(precise: Tokenizer) -> None:
    assert Tokenizer(mode="search", units=["市市场监管局", "市自然资源和规划局"]).fingerprint() != (
        precise.fingerprint()
    )
    assert Tokenizer(mode="precise", units=["市市场监管局"]).fingerprint() != precise.fingerprint()


def test_bad_mode_names_the_choices() -> None:
    with pytest.raises(ValueError, match="search, precise"):
        Tokenizer(mode="fast")  # type: ignore[arg-type]


def test_units_from_clauses_splits_and_dedupes() -> None:
    clauses = [
        make_clause("甲", lead_units=["市发改委"], units=["市财政局、市税务局"]),
        make_clause("乙", path="2.", lead_units=["市财政局"], units=[" ", "局"]),
    ]
    assert units_from_clauses(clauses) == ["市发改委", "市税务局", "市财政局"]
