"""HybridIndex end to end on the toy corpus with the model-free HashEmbedder."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from corpus.errors import IndexStateError, InvalidQueryError
from corpus.model import Clause
from index.hybrid import HybridIndex
from index.manifest import FORMAT_VERSION, corpus_hash
from index.tokenize import Tokenizer
from tests.index.helpers import HashEmbedder, make_clause


@pytest.fixture
def built(tmp_path: Path, clauses: list[Clause], tokenizer: Tokenizer, embedder: HashEmbedder) -> HybridIndex:
    return HybridIndex.build(clauses, embedder, tokenizer, tmp_path / "idx", progress=False)


def test_each_mode_finds_the_clause(built: HybridIndex, clauses: list[Clause]) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        hits = built.search("企业开办时间压缩", mode=mode, top_k=3)  # type: ignore[arg-type]
        assert hits[0].clause == clauses[0], mode
        assert len(hits) <= 3
    bm25_hit = built.search("联合验收", mode="bm25")[0]
    assert (bm25_hit.clause, bm25_hit.bm25_rank, bm25_hit.dense_rank) == (clauses[1], 1, None)
    dense_hit = built.search("联合验收", mode="dense")[0]
    assert (dense_hit.bm25_rank, dense_hit.dense_rank) == (None, 1)
    assert dense_hit.bm25_score is None and dense_hit.dense_score == dense_hit.score
    assert bm25_hit.bm25_score == bm25_hit.score and bm25_hit.dense_score is None


def test_hybrid_hits_carry_both_ranks_and_fused_scores(built: HybridIndex, clauses: list[Clause]) -> None:
    hits = built.search("哪个部门负责单一窗口通关？", mode="hybrid", top_k=5)
    top = hits[0]
    assert top.clause == clauses[4]
    assert (top.bm25_rank, top.dense_rank) == (1, 1)
    assert top.score == pytest.approx(2 / 61)  # RRF, k=60: 1/(60+1) from each side
    assert top.bm25_score is not None and top.bm25_score > 0
    assert top.dense_score is not None and 0 < top.dense_score <= 1
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    weighted = built.search("单一窗口通关", fusion="weighted", weights=[0.5, 0.5])
    assert weighted[0].clause == clauses[4]
    assert weighted[0].score == pytest.approx(1.0)  # best on both sides: 0.5 * 1 + 0.5 * 1


def test_heading_path_helps_sub_items(tmp_path: Path, tokenizer: Tokenizer) -> None:
    clauses = [
        make_clause("实行“一窗受理、集成服务”。", path="1.", headings=["三、优化不动产登记"]),
        make_clause("推行“一窗受理”，集成办理。", path="2.", headings=["四、优化税费缴纳"]),
        make_clause("推行“一窗受理”。", path="3.", headings=["五、优化水电气报装"]),
    ]
    idx = HybridIndex.build(clauses, HashEmbedder(), tokenizer, tmp_path / "idx", progress=False)
    assert idx.search("不动产登记", mode="bm25")[0].clause == clauses[0]


def test_long_clause_is_chunked_but_found_once(tmp_path: Path, tokenizer: Tokenizer) -> None:
    long_text = "持续深化“放管服”改革。" * 30 + "推行容缺受理，压缩办理时限。" + "强化督查考核。" * 30
    clauses = [
        make_clause(long_text, path="1."),
        make_clause("加强人才引进。", path="2."),
        make_clause("优化人才服务。", path="3."),
    ]
    idx = HybridIndex.build(clauses, HashEmbedder(), tokenizer, tmp_path / "idx", progress=False)
    assert idx.count == 3
    assert idx.manifest.counts["chunks"] > 3
    for mode in ("bm25", "dense", "hybrid"):
        hits = idx.search("容缺受理 放管服 督查", mode=mode, top_k=5)  # type: ignore[arg-type]
        assert [h.clause.id for h in hits].count(clauses[0].id) == 1, mode
        assert hits[0].clause == clauses[0]


def test_directory_is_open_formats_with_a_complete_manifest(built: HybridIndex, clauses: list[Clause]) -> None:
    path = built.path
    for name in (
        "manifest.json",
        "clauses.jsonl",
        "bm25/data.npy",
        "bm25/indices.npy",
        "bm25/indptr.npy",
        "bm25/vocab.json",
        "dense/faiss.index",
        "dense/ids.json",
        "embeddings/vectors.npy",
        "embeddings/keys.json",
    ):
        assert (path / name).is_file(), name
    assert not list(path.rglob("*.pkl")) and not list(path.rglob("*.pickle"))
    m = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert m["format_version"] == FORMAT_VERSION
    assert m["embedder"] == {"id": "test:hash-64", "spec": "test:hash", "dim": 64}
    assert m["tokenizer"]["fingerprint"] == built.tokenizer.fingerprint()
    assert "市市场监管局" in m["tokenizer"]["config"]["lexicon"]
    assert m["corpus_hash"] == corpus_hash(c.id for c in clauses)
    assert {"numpy", "faiss-cpu", "jieba", "bm25", "python"} <= set(m["packages"])
    assert m["parameters"]["k1"] == 1.5
    assert m["counts"]["clauses"] == 5 and m["counts"]["documents"] == 1
    assert datetime.fromisoformat(m["built_at"]).tzinfo is not None
    lines = (path / "clauses.jsonl").read_text(encoding="utf-8").splitlines()
    assert [Clause.from_dict(json.loads(line)) for line in lines] == clauses


def test_load_answers_like_the_built_index(built: HybridIndex, embedder: HashEmbedder) -> None:
    loaded = HybridIndex.load(built.path, embedder=embedder)
    assert loaded.count == built.count == 5
    assert loaded.tokenizer.fingerprint() == built.tokenizer.fingerprint()
    for mode in ("bm25", "dense", "hybrid"):
        assert loaded.search("融资难题 银税互动", mode=mode) == built.search("融资难题 银税互动", mode=mode)  # type: ignore[arg-type]


def test_load_refuses_another_embedder(built: HybridIndex) -> None:
    with pytest.raises(IndexStateError, match=r"built with embedder 'test:hash-64', not 'test:hash-32'"):
        HybridIndex.load(built.path, embedder=HashEmbedder(dim=32))


def test_load_refuses_another_format_version(built: HybridIndex, embedder: HashEmbedder) -> None:
    manifest = built.path / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["format_version"] = FORMAT_VERSION + 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexStateError, match=f"format_version {FORMAT_VERSION + 1}.*rebuild"):
        HybridIndex.load(built.path, embedder=embedder)


def test_load_refuses_missing_or_tampered_index(built: HybridIndex, embedder: HashEmbedder, tmp_path: Path) -> None:
    with pytest.raises(IndexStateError, match="no index at"):
        HybridIndex.load(tmp_path / "nowhere", embedder=embedder)
    with (built.path / "clauses.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(make_clause("多出来的条款").to_dict(), ensure_ascii=False) + "\n")
    with pytest.raises(IndexStateError, match="corpus hash"):
        HybridIndex.load(built.path, embedder=embedder)


def test_build_never_replaces_a_directory_that_is_not_an_index(
    tmp_path: Path, clauses: list[Clause], tokenizer: Tokenizer
) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(IndexStateError, match="not an index directory"):
        HybridIndex.build(clauses, HashEmbedder(), tokenizer, precious, progress=False)
    assert (precious / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_rebuild_reuses_embeddings_of_the_same_embedder_only(
    built: HybridIndex, clauses: list[Clause], tokenizer: Tokenizer
) -> None:
    same = HashEmbedder()
    again = HybridIndex.build(clauses, same, tokenizer, built.path, progress=False)
    assert sum(same.calls) == 0
    assert again.manifest.counts["embeddings_reused"] == 5
    other = HashEmbedder(tag="-v2")
    HybridIndex.build(clauses, other, tokenizer, built.path, progress=False)
    assert sum(other.calls) == 5  # another embedder id: nothing mixed in from the old cache


def test_add_and_remove_documents_embed_only_new_clauses(
    tmp_path: Path, clauses: list[Clause], tokenizer: Tokenizer
) -> None:
    emb = HashEmbedder()
    idx = HybridIndex.build(clauses, emb, tokenizer, tmp_path / "idx", progress=False)
    assert sum(emb.calls) == 5
    doc_b = [
        make_clause("建立“首违不罚”清单制度。", source="doc_b.txt", path="1."),
        make_clause("推行包容审慎监管。", source="doc_b.txt", path="2."),
    ]
    idx.add_documents(doc_b)
    assert (sum(emb.calls), idx.count) == (7, 7)
    assert idx.search("首违不罚", mode="bm25")[0].clause == doc_b[0]

    edited = [doc_b[0], make_clause("推行包容审慎监管，实行轻微违法免罚。", source="doc_b.txt", path="2.")]
    idx.add_documents(edited)  # re-adding a document replaces it; one clause text changed
    assert (sum(emb.calls), idx.count) == (8, 7)
    assert doc_b[1] not in idx.clauses

    idx.remove_document("doc_b.txt")
    assert (sum(emb.calls), idx.count) == (8, 5)
    assert HybridIndex.load(idx.path, embedder=emb).count == 5
    with pytest.raises(InvalidQueryError, match=r"no document 'doc_c\.txt'.*doc_a\.txt"):
        idx.remove_document("doc_c.txt")


def test_interrupted_swap_leaves_the_previous_index_loadable(built: HybridIndex, embedder: HashEmbedder) -> None:
    # A crash between the swap's two renames leaves only the previous index, under its backup name.
    backup = built.path.parent / f".{built.path.name}.old-{os.getpid()}-deadbeef"
    os.rename(built.path, backup)
    assert HybridIndex.load(built.path, embedder=embedder).search("银税互动")[0].clause.path == "4."
    HybridIndex.build(built.clauses, embedder, built.tokenizer, built.path, progress=False)
    assert not backup.exists()
    assert HybridIndex.load(built.path, embedder=embedder).count == 5


def test_search_validates_its_arguments(built: HybridIndex) -> None:
    with pytest.raises(InvalidQueryError, match="empty"):
        built.search("  ")
    with pytest.raises(InvalidQueryError, match="bm25, dense, hybrid"):
        built.search("企业", mode="sparse")  # type: ignore[arg-type]
    with pytest.raises(InvalidQueryError, match="rrf, weighted"):
        built.search("企业", fusion="max")  # type: ignore[arg-type]
    with pytest.raises(InvalidQueryError, match="top_k"):
        built.search("企业", top_k=0)
    assert built.search("的了吗", mode="bm25") == []  # only stopwords: BM25 has nothing to match


def test_build_refuses_repeated_clause_ids(tmp_path: Path, clauses: list[Clause], tokenizer: Tokenizer) -> None:
    with pytest.raises(ValueError, match="repeated"):
        HybridIndex.build([*clauses, clauses[0]], HashEmbedder(), tokenizer, tmp_path / "idx", progress=False)
    assert not (tmp_path / "idx").exists()
    assert not list(tmp_path.glob(".idx.tmp-*"))


def test_build_shows_progress_with_clause_counts(
    tmp_path: Path, clauses: list[Clause], tokenizer: Tokenizer, capsys: pytest.CaptureFixture[str]
) -> None:
    HybridIndex.build(clauses, HashEmbedder(), tokenizer, tmp_path / "idx", progress=True)
    err = capsys.readouterr().err
    assert "tokenising 5 clauses" in err
    assert "embedding 5 new clauses" in err
    assert "5/5" in err
