"""Units of retrieval: one chunk per clause, a long clause split at sentence ends.

A chunk's text is the clause's heading path followed by (a part of) its text, so a section
title such as "优化企业开办服务" helps the sub-items under it match. Every chunk keeps its
clause's identity; a clause scores the best of its chunks.

Citation units (parent–child): a heading with the unnumbered paragraphs under it — a case title
「案例1:国际贸易“单一窗口”(上海自贸试验区提供)。」 and its 「主要做法:…」, a task heading
「(四)加强重大项目用地保障。(责任单位:…)」 and the paragraph under its 「2.评估目标。」 — is one
unit: with ``units=True`` the heading's chunk carries the body's text too, and the answer cites
the unit once, title line above the body (:func:`citation_units`).

Example:
    >>> [c.text for c in chunk_clause(clause)]  # headings ("一、优化营商环境",), text "推进企业开办。"
    ['一、优化营商环境 推进企业开办。']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.model import Clause, ClauseKind

#: A heading this short names a kind of content ("落实举措。"), like :attr:`Clause.is_task` reads it.
STRUCTURAL_CHARS = 8
#: Clauses longer than this many characters are split into several chunks.
MAX_CHUNK_CHARS = 400
# A sentence ends after 。！？； (full width) or ; — "推进A。落实B；" -> "推进A。", "落实B；"
_SENTENCE_END = re.compile(r"(?<=[。！？；;])")


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of text indexed on behalf of a clause.

    Attributes:
        id: ``"<clause id>#<n>"``, n counting the clause's chunks from 0.
        clause_id: the clause this chunk stands for.
        text: heading path + " " + clause text (or one sentence run of it).
    """

    id: str
    clause_id: str
    text: str


#: What stands before a chunk's text: nothing, the heading path, or the (sub-)document title
#: and the heading path. The evaluation chooses (docs/evaluation.md).
PREFIXES: tuple[str, ...] = ("none", "headings", "title+headings")
DEFAULT_PREFIX = "title+headings"


def indexed_prefix(clause: Clause, prefix: str = DEFAULT_PREFIX) -> str:
    """The context a clause's chunks start with: "一、… / (二)…", optionally after the title.

    Raises:
        ValueError: ``prefix`` is not one of :data:`PREFIXES`.
    """
    if prefix not in PREFIXES:
        raise ValueError(f"prefix must be one of {', '.join(PREFIXES)}; got {prefix!r}")
    parts = [h for h in clause.headings if h] if prefix != "none" else []
    if prefix == "title+headings" and clause.title:
        parts.insert(0, clause.title)
    return " / ".join(parts)


def split_sentences(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[str]:
    """Pack whole sentences into pieces of at most ``max_chars`` characters.

    A single sentence longer than ``max_chars`` is cut at ``max_chars``.

    Raises:
        ValueError: ``max_chars`` < 1.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be >= 1; got {max_chars}")
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        for part in (sentence[i : i + max_chars] for i in range(0, len(sentence), max_chars)):
            if current and len(current) + len(part) > max_chars:
                pieces.append(current)
                current = ""
            current += part
    if current:
        pieces.append(current)
    return pieces


def chunk_clause(
    clause: Clause, max_chars: int = MAX_CHUNK_CHARS, prefix: str = DEFAULT_PREFIX, body: Sequence[Clause] = ()
) -> list[Chunk]:
    """The chunks indexed for ``clause``: one, or several when its text exceeds ``max_chars``.

    ``body``: the paragraphs of the clause's citation unit, indexed after its own text.
    """
    context = indexed_prefix(clause, prefix)
    text = " ".join([clause.text, *(b.text for b in body)])
    return [
        Chunk(f"{clause.id}#{n}", clause.id, f"{context} {piece}" if context else piece)
        for n, piece in enumerate(split_sentences(text, max_chars))
    ]


def chunk_clauses(
    clauses: Sequence[Clause], max_chars: int = MAX_CHUNK_CHARS, prefix: str = DEFAULT_PREFIX, units: bool = False
) -> list[Chunk]:
    """Chunks of every clause, in clause order; with ``units`` a heading's chunks include its body."""
    bodies = citation_units(clauses) if units else {}
    by_id = {c.id: c for c in clauses} if units else {}
    return [
        chunk
        for clause in clauses
        for chunk in chunk_clause(clause, max_chars, prefix, [by_id[b] for b in bodies.get(clause.id, ())])
    ]


def is_structural(clause: Clause) -> bool:
    """A short heading that only names the kind of what follows ("1.落实举措。", "2.评估目标。")."""
    return clause.kind == ClauseKind.HEADING and len(clause.text.strip().rstrip("。:：")) <= STRUCTURAL_CHARS


def citation_units(clauses: Iterable[Clause]) -> dict[str, tuple[str, ...]]:
    """Title clause id → ids of its body paragraphs, for every heading that has a body.

    A body paragraph is an unnumbered text clause (kind "text"); its title is the heading it
    sits under — or, when that heading is structural (:func:`is_structural`, e.g. "评估目标。")
    and has a heading of its own above, that one: 「(四)加强重大项目用地保障。」 is the title of
    the paragraph under its 「2.评估目标。」. Clauses must be in document order.
    """
    # The heading clause last seen at each depth of each (sub-)document; a clause's parent sits one
    # level above it. Heading paths keep long heading texts cut ("放宽…不低于2亿…"), so a parent is
    # recognised by the start of its text, not by equality.
    latest: dict[tuple[str, str, int], Clause] = {}
    units: dict[str, list[str]] = {}

    def parent_of(clause: Clause, depth: int) -> Clause | None:
        parent = latest.get((clause.source, clause.title, depth - 1))
        if parent is None or parent.headings != clause.headings[: depth - 1]:
            return None
        return parent if parent.text.startswith(clause.headings[depth - 1].rstrip("…")) else None

    for clause in clauses:
        depth = len(clause.headings)
        if clause.kind == ClauseKind.HEADING:
            latest[(clause.source, clause.title, depth)] = clause
            continue
        if clause.kind != ClauseKind.TEXT or not depth:
            continue
        parent = parent_of(clause, depth)
        if parent is None:
            continue
        if is_structural(parent) and depth > 1:
            above = parent_of(parent, depth - 1)
            if above is not None and not is_structural(above):
                parent = above
        units.setdefault(parent.id, []).append(clause.id)
    return {title: tuple(body) for title, body in units.items()}
