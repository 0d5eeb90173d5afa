"""Score the extractor against this blind gold set: per field, coverage, per layout.

Usage (from the repository root)::

    PYTHONPATH=$PWD python tests/gold_blind6/score.py          # the table
    PYTHONPATH=$PWD python tests/gold_blind6/score.py --wrong  # plus every disagreement
"""

from __future__ import annotations

from pathlib import Path

from tests.gold_scoring import main

if __name__ == "__main__":
    main(Path(__file__).resolve().parent)
