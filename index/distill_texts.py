"""Query-like training texts for ``policyqa distill``, made from the indexed clauses and jieba's dictionary.

A distilled query encoder only has to agree with e5 on the kind of text people ask, so the
training texts imitate questions, never copy judged ones (the caller passes those to exclude):

- ``corpus``: measure names (「企业开办“一网通办”」), section headings and sentence fragments of
  the clauses, 4–40 characters, sometimes behind a place of the document's title (「岳阳」);
- ``template``: questions built from them and the clause's fields — 「{name}由谁牵头？」 when it has
  a lead unit, 「{name}什么时候完成？」 when it has a deadline, 「{unit}牵头的任务有哪些？」,
  「{deadline}前要完成哪些任务？」, and field-free ones (「{name}具体怎么做？」);
- ``everyday``: 2–5 words drawn from jieba's dictionary by frequency, with a question word
  (「开公司网上办完能不能」), so paraphrase questions in everyday words are covered too;
- ``mixed``: a piece of a clause followed by everyday words and a question word.

Example:
    >>> texts = query_texts(clauses, 2000, seed=13)
    >>> len(texts), sorted({source for _, source in texts})
    (2000, ['corpus', 'everyday', 'mixed', 'template'])
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Collection, Sequence
from functools import cache

from corpus.model import Clause
from index.adapt import measure_name

#: Share of each source in the texts (the rest of a share is filled by the others when a pool is small).
SHARES: tuple[tuple[str, float], ...] = (("corpus", 0.25), ("template", 0.35), ("everyday", 0.25), ("mixed", 0.15))
GENERIC = (
    "{name}是什么？",
    "{name}具体怎么做？",
    "{name}有哪些措施",
    "{name}怎么办",
    "{name}有什么要求？",
    "怎样{name}",
    "{name}的目标是多少",
    "关于{name}有哪些规定",
    "{name}",
)
LEAD = ("{name}由谁牵头？", "哪个部门负责{name}？", "{name}谁负责", "{name}的牵头单位是哪个", "{name}由哪些单位配合")
DEADLINE = ("{name}什么时候完成？", "{name}的完成时限是什么时候？", "{name}哪年完成", "{name}要在什么时间前完成")
UNIT = ("{unit}牵头的任务有哪些？", "{unit}负责哪些工作", "{unit}要配合做什么", "{unit}有什么任务")
DUE = ("{deadline}要完成哪些任务？", "{deadline}前到期的任务有哪些", "哪些工作要在{deadline}完成")
QUESTION_WORDS = (
    "吗",
    "怎么办",
    "能不能",
    "可以吗",
    "要多久",
    "在哪里办",
    "找谁",
    "多少钱",
    "怎么申请",
    "有什么好处",
    "是什么意思",
    "需要什么材料",
    "有没有",
    "什么时候",
    "谁管",
    "",
)
# Splits 「推行企业开办“一网通办”，将企业开办时间压缩至3个工作日以内。」 into its two fragments.
_FRAGMENT_END = re.compile(r"[。；;，,：:！？!?\n]")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_NUMBERING = re.compile(r"^[（(]?[0-9一二三四五六七八九十]+[)）、.．]\s*")  # 「（三）」「2.」「一、」
_TRAILING = "。.；;：:，, "
_NORMALISE = re.compile(r"[\s\W_]+")


def normalised(text: str) -> str:
    """``text`` without spaces and punctuation: how training texts are compared with excluded ones."""
    return _NORMALISE.sub("", text).lower()


def query_texts(
    clauses: Sequence[Clause],
    count: int,
    *,
    seed: int = 13,
    exclude: Collection[str] = (),
    vocabulary: int = 30000,
) -> list[tuple[str, str]]:
    """``count`` distinct query-like texts with their source (corpus / template / everyday / mixed).

    Args:
        clauses: the indexed clauses.
        count: how many texts.
        seed: the random seed (same clauses and seed → same texts).
        exclude: texts never to produce (e.g. judged questions); compared without punctuation/spaces.
        vocabulary: how many of jieba's most frequent 2–4 character words the everyday texts use.

    Returns:
        (text, source) pairs, shuffled; fewer than ``count`` only if the sources run dry.
    """
    rng = random.Random(seed)
    pieces = _corpus_pieces(clauses)
    places = _places(clauses)
    words, weights = _everyday_words(vocabulary)
    banned = {normalised(t) for t in exclude}
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    sources = [s for s, _ in SHARES]
    shares = [w for _, w in SHARES]
    attempts = 0
    while len(out) < count and attempts < 20 * count + 1000:
        attempts += 1
        source = rng.choices(sources, shares)[0]
        if source in ("corpus", "template", "mixed") and not pieces:
            source = "everyday"
        if source == "corpus":
            text = rng.choice(places) + rng.choice(pieces)[0] if rng.random() < 0.2 else rng.choice(pieces)[0]
        elif source == "template":
            text = _template(rng, pieces, places)
        elif source == "everyday":
            text = "".join(rng.choices(words, weights, k=rng.randint(2, 5))) + rng.choice(QUESTION_WORDS)
        else:
            piece = rng.choice(pieces)[0][: rng.randint(4, 12)]
            text = piece + "".join(rng.choices(words, weights, k=rng.randint(1, 3))) + rng.choice(QUESTION_WORDS)
        key = normalised(text)
        if len(key) < 2 or key in seen or key in banned:
            continue
        seen.add(key)
        out.append((text, source))
    rng.shuffle(out)
    return out


def _template(rng: random.Random, pieces: list[tuple[str, Clause]], places: list[str]) -> str:
    """One question about a random piece, using its clause's fields when the template needs them."""
    name, clause = rng.choice(pieces)
    place = rng.choice(places) if rng.random() < 0.3 else ""
    roll = rng.random()
    if clause.lead_units and roll < 0.3:
        if rng.random() < 0.3:
            return place + rng.choice(UNIT).format(unit=rng.choice(clause.lead_units + clause.units))
        return place + rng.choice(LEAD).format(name=name)
    if clause.deadline is not None and roll < 0.55:
        if clause.deadline.date is not None and rng.random() < 0.2:
            return place + rng.choice(DUE).format(deadline=clause.deadline.text.removesuffix("前"))
        return place + rng.choice(DEADLINE).format(name=name)
    return place + rng.choice(GENERIC).format(name=name)


def _corpus_pieces(clauses: Sequence[Clause]) -> list[tuple[str, Clause]]:
    """Measure names, headings and 4–40 character fragments of the clauses, each with its clause, distinct."""
    pieces: dict[str, Clause] = {}
    for clause in clauses:
        name = measure_name(clause.text)
        if name:
            pieces.setdefault(name, clause)
        for piece in (*clause.headings, *_FRAGMENT_END.split(clause.text)):
            piece = _NUMBERING.sub("", piece.strip()).rstrip(_TRAILING)
            if 4 <= len(piece) <= 40:
                pieces.setdefault(piece, clause)
    return list(pieces.items())


def _places(clauses: Sequence[Clause]) -> list[str]:
    """Place-like words of the document titles (jieba's ``ns``/``nr``, 2+ characters, not 中国).

    E.g. 咸宁市 and 湖北 in 「咸宁市复制推广中国（湖北）自由贸易试验区…」, 岳阳 in 「…岳阳片区实施方案」;
    jieba tags a few other words so too (并联), which only makes a question a little odder.
    """
    import jieba.posseg

    titles = sorted({c.title for c in clauses if c.title})
    tagged = (w for t in titles for w in jieba.posseg.cut(t))
    found = {w.word for w in tagged if w.flag in ("ns", "nr") and len(w.word) >= 2 and w.word != "中国"}
    return sorted(found) or [""]


@cache
def _everyday_words(vocabulary: int) -> tuple[list[str], list[float]]:
    """jieba's ``vocabulary`` most frequent 2–4 character Chinese words, weighted by the log of their count."""
    from index.jieba_dict import base_dictionary

    freq, _ = base_dictionary()
    ranked = sorted(((c, w) for w, c in freq.items() if c > 0 and _CJK_WORD.match(w)), reverse=True)[:vocabulary]
    return [w for _, w in ranked], [math.log(1 + c) for c, _ in ranked]
