"""A build killed mid-way (SIGKILL while it embeds) leaves the previous index loadable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from index.hybrid import HybridIndex
from index.tokenize import Tokenizer
from tests.index.helpers import HashEmbedder, toy_clauses

ROOT = Path(__file__).resolve().parents[2]
# Rebuilds the index with 200 more clauses through an embedder that sleeps 0.3 s per batch.
BUILD = """
import sys
from pathlib import Path
from index.hybrid import HybridIndex
from index.tokenize import Tokenizer
from tests.index.helpers import SlowEmbedder, make_clause, toy_clauses
more = [make_clause(f"第{i}项新增改革措施。", source="doc_b.txt", path=f"{i}.") for i in range(200)]
embedder = SlowEmbedder(Path(sys.argv[2]), delay=0.3)
HybridIndex.build(toy_clauses() + more, embedder, Tokenizer(), Path(sys.argv[1]), progress=False)
"""


def test_killed_build_leaves_previous_index_usable(tmp_path: Path) -> None:
    path, marker = tmp_path / "idx", tmp_path / "embedding-started"
    embedder = HashEmbedder()
    HybridIndex.build(toy_clauses(), embedder, Tokenizer(), path, progress=False)
    before = HybridIndex.load(path, embedder=embedder).search("单一窗口通关")

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILD, str(path), str(marker)], cwd=ROOT, env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the build never started embedding"
            time.sleep(0.02)
        staging = list(tmp_path.glob(".idx.tmp-*"))
        assert staging and (staging[0] / "bm25" / "data.npy").exists()  # half-written, not yet swapped
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    after = HybridIndex.load(path, embedder=embedder)
    assert after.count == 5
    assert after.search("单一窗口通关") == before

    # The next build removes the dead build's staging directory.
    HybridIndex.build(toy_clauses()[:3], embedder, Tokenizer(), path, progress=False)
    assert not list(tmp_path.glob(".idx.tmp-*"))
    assert HybridIndex.load(path, embedder=embedder).count == 3
