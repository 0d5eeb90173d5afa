"""jieba's default dictionary, loaded fast and once per process.

``jieba.Tokenizer().initialize()`` unmarshals a 500k-entry prefix dictionary in ~1.4 s on
this machine, which alone breaks the 1 s restart budget. Kept as a word list plus a ``.npy``
of counts it loads in ~0.3 s; every :class:`index.tokenize.Tokenizer` then copies it (~20 ms).
The files live in the temp dir, like jieba's own cache, and are rebuilt when missing.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

import jieba
import numpy as np


def cache_dir() -> Path:
    """Where the fast copy of the dictionary is kept (one per jieba version)."""
    return Path(tempfile.gettempdir()) / f"policyqa-jieba-{getattr(jieba, '__version__', 'x')}"


@cache
def base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's default prefix dictionary ``FREQ`` and its ``total``; do not mutate the dict."""
    directory = cache_dir()
    try:
        words = (directory / "words.txt").read_text(encoding="utf-8").split("\n")
        counts = np.load(directory / "freq.npy", allow_pickle=False).tolist()
        if len(counts) == len(words) + 1:
            return dict(zip(words, counts[:-1], strict=True)), int(counts[-1])
    except (OSError, ValueError):
        pass  # missing or half-written: rebuild below
    tk = jieba.Tokenizer()
    tk.initialize()
    _save(directory, tk.FREQ, tk.total)
    return dict(tk.FREQ), int(tk.total)


def _save(directory: Path, freq: dict[str, int], total: int) -> None:
    """Write the word list and counts (+ total as the last count), each via rename."""
    directory.mkdir(parents=True, exist_ok=True)
    suffix = f".{os.getpid()}.tmp"
    words_tmp = directory / f"words.txt{suffix}"
    freq_tmp = directory / f"freq{suffix}.npy"
    words_tmp.write_text("\n".join(freq), encoding="utf-8")
    np.save(freq_tmp, np.array([*freq.values(), total], dtype=np.int64))
    os.replace(words_tmp, directory / "words.txt")
    os.replace(freq_tmp, directory / "freq.npy")
