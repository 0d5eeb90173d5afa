"""Chinese tokenizer for BM25: jieba with a government lexicon and question stopwords.

The tokenizer is injected into the index and saved with it (``to_config``), so a query is
always cut exactly like the clauses it is matched against.

Example:
    >>> tok = Tokenizer(mode="precise", units=["市市场监管局"])
    >>> tok("请问哪个部门负责一网通办？市市场监管局牵头。")
    ['负责', '一网通办', '市市场监管局', '牵头']
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal, cast

import jieba

from corpus.model import Clause
from corpus.simplify import to_simplified
from index.jieba_dict import base_dictionary
from index.lexicon import POLICY_TERMS, QUESTION_STOPWORDS

Mode = Literal["search", "precise"]
MODES: tuple[Mode, ...] = ("search", "precise")

# Unit lists are split by the parser already; split again defensively on list separators.
_UNIT_SPLIT = re.compile(r"[、，,;；\s]+")

jieba.setLogLevel(logging.WARNING)  # jieba prints "Building prefix dict…" to stderr on init


class Tokenizer:
    """Cut Chinese text into BM25 terms with jieba.

    Uses its own ``jieba.Tokenizer`` instance, so user words never leak into (or from) the
    process-wide jieba dictionary. Latin letters are lowercased; punctuation, whitespace and
    stopwords are dropped.

    Args:
        mode: "search" (jieba's ``cut_for_search``: long words plus their sub-words, better
            recall) or "precise" (``cut``: one segmentation).
        lexicon: words kept whole (policy terms by default).
        units: unit names added to the lexicon, e.g. ``units_from_clauses(clauses)``.
        stopwords: terms removed from both clauses and queries.
        simplify: cut the simplified form of the text (OpenCC t2s), so "牽頭單位" and "牵头单位"
            give the same terms. Indexes saved before this option read back without it.

    Raises:
        ValueError: ``mode`` is not one of "search" and "precise".
    """

    def __init__(
        self,
        mode: Mode = "search",
        lexicon: Iterable[str] = POLICY_TERMS,
        units: Iterable[str] = (),
        stopwords: Iterable[str] = QUESTION_STOPWORDS,
        simplify: bool = True,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"tokenizer mode must be one of {', '.join(MODES)}; got {mode!r}")
        self.mode: Mode = mode
        self.simplify = simplify
        self.lexicon: tuple[str, ...] = tuple(sorted({w.strip() for w in (*lexicon, *units)} - {""}))
        self.stopwords: frozenset[str] = frozenset(w.strip().lower() for w in stopwords) - {""}
        self._jieba = jieba.Tokenizer()
        # jieba 0.42 keeps its dictionary in FREQ/total and loads it on first use (~1.4 s);
        # a copy of the process-wide one makes the instance ready at once.
        freq, total = base_dictionary()
        self._jieba.FREQ, self._jieba.total, self._jieba.initialized = dict(freq), total, True
        # Question phrases such as "哪个部门" must be cut whole to be removed whole.
        for word in (*self.lexicon, *sorted(w for w in self.stopwords if len(w) > 1)):
            self._jieba.add_word(word)

    def __call__(self, text: str) -> list[str]:
        """Return the terms of ``text`` in order (repeats kept: BM25 counts them)."""
        return self.terms(self._jieba.cut(to_simplified(text) if self.simplify else text))

    def cut_words(self, text: str) -> list[str]:
        """jieba's precise cut with the lexicon, every piece kept (punctuation, stopwords)."""
        return list(self._jieba.cut(text))

    def terms(self, words: Iterable[str]) -> list[str]:
        """Terms of already-cut ``words``: filtered, lowercased, sub-words added in search mode."""
        terms: list[str] = []
        for word in words:
            term = word.strip().lower()
            if not term or term in self.stopwords or not any(ch.isalnum() for ch in term):
                continue
            if self.mode == "search":
                terms.extend(g for g in self._subwords(term) if g not in self.stopwords)
            terms.append(term)
        return terms

    def _subwords(self, word: str) -> list[str]:
        """Dictionary 2- and 3-grams inside a long word: "市市场监管局" -> 市场, 监管, 监管局.

        This is jieba's ``cut_for_search`` applied after the stopword filter, so that a
        removed question phrase ("哪个部门") does not leak its sub-word ("部门") back in.
        """
        freq = self._jieba.FREQ
        grams = [word[i : i + 2] for i in range(len(word) - 1)] if len(word) > 2 else []
        grams += [word[i : i + 3] for i in range(len(word) - 2)] if len(word) > 3 else []
        return [g for g in grams if freq.get(g)]

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Terms of each text, in order."""
        return [self(text) for text in texts]

    def to_config(self) -> dict[str, Any]:
        """JSON-ready settings that ``from_config`` turns back into an equal tokenizer."""
        config: dict[str, Any] = {
            "kind": "jieba",
            "jieba_version": str(getattr(jieba, "__version__", "unknown")),
            "mode": self.mode,
            "lexicon": list(self.lexicon),
            "stopwords": sorted(self.stopwords),
        }
        if self.simplify:  # absent when off, so configs saved before the option keep their fingerprint
            config["simplify"] = "opencc-t2s"
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Tokenizer:
        """Rebuild a tokenizer from ``to_config`` output.

        Raises:
            ValueError: the config is not a jieba tokenizer config or its mode is unknown.
        """
        if config.get("kind") != "jieba":
            raise ValueError(f"not a jieba tokenizer config: kind={config.get('kind')!r}")
        return cls(
            mode=cast(Mode, config["mode"]),
            lexicon=config["lexicon"],
            stopwords=config["stopwords"],
            simplify=config.get("simplify") == "opencc-t2s",
        )

    def fingerprint(self) -> str:
        """16 hex chars of SHA-256 over the config: equal fingerprints cut text identically."""
        blob = json.dumps(self.to_config(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return (
            f"Tokenizer(mode={self.mode!r}, lexicon={len(self.lexicon)} words, "
            f"stopwords={len(self.stopwords)}, fingerprint={self.fingerprint()})"
        )


def units_from_clauses(clauses: Sequence[Clause]) -> list[str]:
    """Unit names written in the clauses' ``lead_units`` and ``units``, sorted, no duplicates.

    Example:
        >>> units_from_clauses([c])  # c.lead_units == ("市发改委",), c.units == ("市财政局、市税务局",)
        ['市发改委', '市税务局', '市财政局']
    """
    names: set[str] = set()
    for clause in clauses:
        for written in (*clause.lead_units, *clause.units):
            names.update(n for n in _UNIT_SPLIT.split(written) if 2 <= len(n) <= 40)
    return sorted(names)
