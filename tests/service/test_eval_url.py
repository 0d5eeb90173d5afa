"""`policyqa eval --url`: the judged set evaluated through a running service's /api/ask."""

from __future__ import annotations

from corpus import BUNDLED_CORPUS_DIR
from eval.judged import DEFAULT_SET, load_questions, resolve_qrels
from eval.metrics import score
from eval.runner import run_remote
from qa.library import read_clauses


def test_remote_run_scores_like_the_product(live_server: str) -> None:
    questions = [q for q in load_questions(DEFAULT_SET) if q.kind in ("who", "when")][:12]
    clauses = read_clauses([BUNDLED_CORPUS_DIR])
    outputs = run_remote(live_server, questions, top_k=10)
    assert set(outputs) == {q.qid for q in questions}
    scores = score(questions, resolve_qrels(questions, clauses), outputs, clauses).overall
    assert scores["hit_rate@1"] >= 0.6 and scores["field_acc_top1"] >= 0.6
