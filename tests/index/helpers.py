"""Test fixtures shared by tests/index and by the subprocess of the kill-mid-build test.

Everything here is built inline: tiny Chinese clauses and embedders that need no model.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corpus.model import Clause, ClauseKind, clause_id
from index.embed.protocol import Vectors, as_unit_rows


def make_clause(
    text: str,
    source: str = "doc_a.txt",
    path: str = "1.",
    headings: Sequence[str] = (),
    lead_units: Sequence[str] = (),
    units: Sequence[str] = (),
) -> Clause:
    """A clause with a content-hash id, as the parser would make it."""
    return Clause(
        id=clause_id(source, path, text),
        source=source,
        title="测试方案",
        path=path,
        headings=tuple(headings),
        text=text,
        start=0,
        end=len(text),
        kind=ClauseKind.ITEM,
        lead_units=tuple(lead_units),
        units=tuple(units),
    )


def toy_clauses() -> list[Clause]:
    """Five measures of a 优化营商环境 plan, one per section, each with its lead unit."""
    rows = [
        (
            "一、优化企业开办服务",
            "推行企业开办“一网通办”，将企业开办时间压缩至3个工作日以内。",
            ["市市场监管局"],
            [],
        ),
        (
            "二、提升工程建设项目审批效率",
            "推进“多评合一”“多审合一”“多验合一”，实行联合图审和联合验收。",
            ["市住建局"],
            ["市自然资源和规划局", "市发改委"],
        ),
        (
            "三、加强事中事后监管",
            "全面推行“双随机、一公开”监管，实现部门联合抽查常态化。",
            ["市市场监管局"],
            [],
        ),
        (
            "四、降低企业成本",
            "落实减税降费政策，推广“银税互动”，缓解中小企业融资难题。",
            ["市税务局"],
            ["市财政局"],
        ),
        ("五、提升跨境贸易便利化", "建设国际贸易“单一窗口”，压缩货物进出口通关时间。", ["武汉海关"], []),
    ]
    return [
        make_clause(text, path=f"{i + 1}.", headings=[heading], lead_units=lead, units=units)
        for i, (heading, text, lead, units) in enumerate(rows)
    ]


class HashEmbedder:
    """Deterministic bag-of-character-bigrams embedder: similar wording -> similar vectors.

    Texts sharing bigrams get a positive cosine; needs no model, embeds thousands of texts/s.
    """

    spec = "test:hash"

    def __init__(self, dim: int = 64, tag: str = "") -> None:
        self.dim = dim
        self.id = f"test:hash-{dim}{tag}"
        self.calls: list[int] = []  # batch sizes of embed_passages, to count re-embedding

    def _embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in (text[i : i + 2] for i in range(max(1, len(text) - 1))):
                h = int.from_bytes(hashlib.md5(gram.encode()).digest()[:4], "little")
                out[row, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
        return as_unit_rows(out, self.dim)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        return self._embed(texts)


class SlowEmbedder(HashEmbedder):
    """A HashEmbedder that touches ``marker`` when it starts embedding, then takes its time.

    Same id as ``HashEmbedder(dim)``, so an index it builds loads with either.
    """

    def __init__(self, marker: Path, delay: float = 0.2, dim: int = 64) -> None:
        super().__init__(dim)
        self.marker = marker
        self.delay = delay

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.marker.touch()
        time.sleep(self.delay)
        return super().embed_passages(texts)
