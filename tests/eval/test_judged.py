"""Judged sets: the bundled one resolves against the parse; malformed sets fail with the line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import EvalSetError
from eval.judged import DEFAULT_SET, load_questions, resolve_qrels, write_trec_qrels, write_trec_run
from qa.library import read_clauses


def test_bundled_set_is_complete_and_resolves() -> None:
    questions = load_questions(DEFAULT_SET)
    assert len(questions) >= 150
    kinds = {q.kind for q in questions}
    assert {"who", "when", "what", "number", "list", "paraphrase", "noanswer"} <= kinds
    qrels = resolve_qrels(questions, read_clauses([BUNDLED_CORPUS_DIR]))
    assert all(qrels[q.qid] for q in questions if q.kind not in ("noanswer",))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2: not valid JSON"),
        ('["a list"]', "line 2: expected a JSON object"),
        ('{"qid": "q2", "question": "x", "kind": "who"}', "line 2: field 'relevant' must be a list"),
        ('{"qid": "q2", "question": "x", "kind": "why", "relevant": []}', "kind 'why' is not one of"),
        ('{"qid": "q1", "question": "x", "kind": "noanswer", "relevant": []}', "qid 'q1' repeats"),
        ('{"qid": "q2", "question": "x", "kind": "who", "relevant": [{"source": "a"}]}', "grade 1 or 2"),
    ],
)
def test_malformed_set_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"qid": "q1", "question": "医保?", "kind": "noanswer", "relevant": []}\n' + line + "\n")
    with pytest.raises(EvalSetError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_questions(path)


def test_unknown_prefix_names_the_question(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"qid": "q9", "question": "x", "kind": "what", '
        '"relevant": [{"source": "000_bf79a9341e2790cb.txt", "prefix": "不存在的条款", "grade": 2}]}\n'
    )
    with pytest.raises(EvalSetError, match=r"line 1 \(q9\): no clause of 000_bf79a9341e2790cb.txt"):
        resolve_qrels(load_questions(path), read_clauses([BUNDLED_CORPUS_DIR]))


def test_trec_files(tmp_path: Path) -> None:
    write_trec_qrels({"q1": {"c1": 2, "c2": 1}}, tmp_path / "qrels.txt")
    assert (tmp_path / "qrels.txt").read_text().splitlines() == ["q1 0 c1 2", "q1 0 c2 1"]
    write_trec_run({"q1": {"c2": 0.5, "c1": 0.9}}, tmp_path / "run.trec", tag="sys")
    assert (tmp_path / "run.trec").read_text().splitlines() == ["q1 Q0 c1 1 0.900000 sys", "q1 Q0 c2 2 0.500000 sys"]


def test_committed_trec_qrels_match_the_parse(tmp_path: Path) -> None:
    """eval/data/qrels.txt is the set's relevance in TREC form for the current parse; regenerate it with
    write_trec_qrels(resolve_qrels(...)) when the parser changes clause ids."""
    fresh = tmp_path / "qrels.txt"
    write_trec_qrels(resolve_qrels(load_questions(DEFAULT_SET), read_clauses([BUNDLED_CORPUS_DIR])), fresh)
    assert fresh.read_text() == (DEFAULT_SET.parent / "qrels.txt").read_text()
