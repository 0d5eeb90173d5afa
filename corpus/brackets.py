"""Bracket groups in a clause's text, and labels written into its running text."""

from __future__ import annotations

import re

from corpus.grammar import CLOSE_BRACKETS as CLOSE
from corpus.grammar import LABEL_PAIR_RE, STRICT_LABEL_RE, label_role
from corpus.grammar import OPEN_BRACKETS as OPEN
from corpus.units import LABEL_RE

# Words that make a bracket or a sentence speak about responsibility: "(省司法厅牵头,…负责)".
PROSE_UNIT_HINT = re.compile(r"牵头|负责|负总责|配合|参与|实施|会同|统筹|落实")


def bracket_groups(folded: str) -> list[tuple[int, int]]:
    """Top-level balanced bracket groups as (start, end) with end exclusive."""
    groups: list[tuple[int, int]] = []
    depth, begin = 0, 0
    for i, ch in enumerate(folded):
        if ch in OPEN:
            if depth == 0:
                begin = i
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
            if depth == 0:
                groups.append((begin, i + 1))
    return groups


def inline_labels(folded: str) -> int | None:
    """Where labels written into the running text begin, or None.

    "…推进教育数字化。责任单位:区教育局(牵头)、区财政局;完成时限:…" -> the offset of
    "责任单位"; "…工作【牵头单位】区商务局【完成时限】…" -> the offset of "【". A label inside a
    bracket group ("(牵头单位:…)") is the bracket's, not the text's.
    """
    starts = [m.start() for m in STRICT_LABEL_RE.finditer(folded) if label_role(m) is not None]
    starts += [m.start() for m in LABEL_PAIR_RE.finditer(folded)]
    return min((p for p in starts if p > 0 and bracket_depth(folded, p) == 0), default=None)


def bracket_depth(folded: str, pos: int) -> int:
    depth = 0
    for ch in folded[:pos]:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
    return depth


def mask_brackets(folded: str) -> str:
    out = list(folded)
    for start, end in bracket_groups(folded):
        inner = folded[start:end]
        if LABEL_RE.search(inner) or PROSE_UNIT_HINT.search(inner):
            out[start:end] = "＿" * (end - start)
    return "".join(out)


def unfold_units(units: list[str], original: str, folded: str) -> list[str]:
    """Map unit names read from folded text back to the document's own characters."""
    result = []
    for unit in units:
        pos = folded.find(unit)
        result.append(original[pos : pos + len(unit)] if pos >= 0 else unit)
    return result
