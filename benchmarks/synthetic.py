"""Synthetic clauses made from the bundled documents' own sentences, units, numbers and dates varied.

Each template sentence is cut by jieba once; a synthetic clause swaps its number tokens and
unit names for random ones and joins the tokens back into text. So a synthetic clause comes
with both its text (for a real jieba build) and its tokens (to build BM25 at sizes where
tokenising with jieba would take too long; the benchmark says when it does that).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus import BUNDLED_CORPUS_DIR
from corpus.model import Clause, ClauseKind, clause_id
from index.tokenize import Tokenizer

UNITS = (
    "市发改委",
    "市财政局",
    "市税务局",
    "市市场监管局",
    "市住建局",
    "市自然资源和规划局",
    "市商务局",
    "市人社局",
    "市生态环境局",
    "市政务服务中心",
    "市公安局",
    "市司法局",
    "市交通运输局",
    "市水务局",
    "市教育局",
    "市科技局",
    "市经信局",
    "市农业农村局",
    "市文旅局",
    "市卫健委",
    "市应急管理局",
    "市行政审批局",
    "市数据局",
    "市金融办",
    "人民银行分行",
    "武汉海关",
    "岳阳海事局",
    "高新区管委会",
    "各县市区人民政府",
    "市中级人民法院",
    "市城管执法委",
    "市医保局",
    "市统计局",
    "市审计局",
)
_UNIT_SET = frozenset(UNITS)
_YEAR = re.compile(r"^20\d\d$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Synthetic:
    """A synthetic clause with the tokens its text cuts into."""

    clause: Clause
    tokens: list[str]


def template_sentences(directory: Path = BUNDLED_CORPUS_DIR) -> list[str]:
    """Sentences of the bundled documents (split on 。 and line ends), 8 to 200 characters."""
    sentences = []
    for path in sorted(directory.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            sentences.extend(s.strip() + "。" for s in line.split("。") if 8 <= len(s.strip()) <= 200)
    return sentences


def synthetic_clauses(n: int, tokenizer: Tokenizer, seed: int = 0) -> Iterator[Synthetic]:
    """``n`` synthetic clauses, deterministic for a seed; 1 to 3 template sentences each.

    ``tokenizer`` should have :data:`UNITS` in its lexicon, so that unit names are single
    pieces that can be swapped.
    """
    rng = random.Random(seed)
    templates = [_template(tokenizer, s) for s in template_sentences()]
    terms_of: dict[str, list[str]] = {}  # varied piece -> its terms
    for i in range(n):
        texts: list[str] = []
        tokens: list[str] = []
        for t in rng.sample(range(len(templates)), rng.randint(1, 3)):
            for slot in templates[t]:
                piece = slot.text if slot.kind == "fixed" else _vary(slot, rng)
                if slot.kind != "fixed" and piece not in terms_of:
                    terms_of[piece] = tokenizer.terms([piece])
                texts.append(piece)
                tokens.extend(slot.terms if slot.kind == "fixed" else terms_of[piece])
        text = "".join(texts)
        source = f"synthetic_{i // 500:05d}.txt"
        path = f"{i % 500 + 1}."
        clause = Clause(
            id=clause_id(source, path, text),
            source=source,
            title="合成方案",
            path=path,
            headings=(f"{'一二三四五六七八'[i % 8]}、重点任务",),
            text=text,
            start=0,
            end=len(text),
            kind=ClauseKind.ITEM,
            lead_units=(rng.choice(UNITS),),
        )
        yield Synthetic(clause, tokens)


@dataclass(frozen=True, slots=True)
class _Slot:
    kind: str  # "fixed" text, or a varied "unit" / "year" / "number"
    text: str
    terms: list[str]


def _template(tokenizer: Tokenizer, sentence: str) -> list[_Slot]:
    """The sentence as runs of fixed words (terms precomputed) and slots to vary."""
    slots: list[_Slot] = []
    run: list[str] = []
    for piece in tokenizer.cut_words(sentence):
        kind = (
            "unit"
            if piece in _UNIT_SET
            else "year"
            if _YEAR.match(piece)
            else ("number" if _NUMBER.match(piece) else "fixed")
        )
        if kind == "fixed":
            run.append(piece)
            continue
        if run:
            slots.append(_Slot("fixed", "".join(run), tokenizer.terms(run)))
            run = []
        slots.append(_Slot(kind, piece, []))
    if run:
        slots.append(_Slot("fixed", "".join(run), tokenizer.terms(run)))
    return slots


def _vary(slot: _Slot, rng: random.Random) -> str:
    if slot.kind == "unit":
        return rng.choice(UNITS)
    if slot.kind == "year":
        return str(rng.randint(2015, 2030))
    return str(rng.randint(1, 99))
