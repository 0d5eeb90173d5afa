"""Stage 1: policy documents -> clause tree with lead units, units and deadlines."""

from __future__ import annotations

from pathlib import Path

#: The five documents shipped as the built-in default corpus.
BUNDLED_CORPUS_DIR = Path(__file__).parent / "data"
