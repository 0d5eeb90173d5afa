"""End-to-end answer latency of the product default (Answerer over the bundled index); prints figures.

    python -m benchmarks.bench_answer --index-dir var/index      # builds the index if missing

Asserts nothing; docs/benchmarks.md records the figures.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from corpus import BUNDLED_CORPUS_DIR
from eval.judged import DEFAULT_SET, load_questions
from qa.answer import Answerer
from qa.library import open_library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", default="var/index")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the judged questions")
    args = parser.parse_args()

    start = time.perf_counter()
    index = open_library(Path(args.index_dir), [BUNDLED_CORPUS_DIR], progress=False)
    answerer = Answerer(index)
    opened = time.perf_counter() - start
    questions = [q.question for q in load_questions(DEFAULT_SET)]
    answerer.ask(questions[0])  # first call warms jieba and the embedder
    by_kind: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for q in questions:
            t = time.perf_counter()
            answer = answerer.ask(q, top_k=5)
            by_kind.setdefault(answer.intent.kind, []).append((time.perf_counter() - t) * 1000)
    every = [ms for values in by_kind.values() for ms in values]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"index open (load or build): {opened * 1000:.0f} ms; {index.count} clauses")
    print(f"{len(every)} answers ({len(questions)} questions x {args.rounds})")
    print("| question kind | answers | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for kind, values in [*sorted(by_kind.items()), ("all", every)]:
        q = statistics.quantiles(values, n=20)
        print(f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {q[18]:.1f} |")
    print(f"max RSS: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
