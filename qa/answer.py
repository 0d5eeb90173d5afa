"""Answer a question: cited clauses with units and deadline, and one sentence built from them.

Example:
    >>> answerer = Answerer(HybridIndex.load(Path("var/index")))
    >>> result = answerer.ask("谁牵头企业开办一网通办？什么时候完成？")
    >>> result.answer
    '由市市场监管局牵头，市行政审批局、市政务服务中心、市发改委等配合，完成时限：2023年8月底前。（《…》四、(一) 1.(1)）'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from corpus.errors import InvalidQueryError
from corpus.ledger import TaskFilter, task_record
from corpus.model import Clause, ClauseKind, FieldSource
from index.fusion import Norm
from index.hybrid import FusionName, Hit, SearchMode
from index.store import ClauseStore
from qa.intent import QuestionIntent, QuestionVocabulary, read_question
from qa.sentence import NO_ANSWER, answer_sentence, list_sentence
from qa.units import CitationUnits, fields_clause

MAX_QUESTION_CHARS = 512
MAX_TOP_K = 50
#: A list question returns at most this many tasks (the ledger export has them all).
MAX_LIST_RESULTS = 500


@dataclass(frozen=True, slots=True)
class RankingParams:
    """How retrieval hits are re-ordered for a question; defaults chosen by the evaluation.

    Attributes:
        mode: retrieval mode of the index ("hybrid" by default).
        fusion: "rrf" or "weighted".
        weights: (bm25, dense) fusion weights, None for equal.
        norm: score normalisation of the weighted fusion, "minmax" or "zscore".
        depth: candidates taken from the index before re-ordering.
        place_boost: factor for clauses of documents the question's place names point to.
        unit_boost: factor for clauses whose units include a unit the question names.
        field_boost: factor for clauses carrying the field a who/when question asks for.
        structural_penalty: factor for headings that only name their sub-clauses' kind
            ("1.落实举措。", "2.评估目标。"): they hold no content of their own.
        min_similarity: when no clause is at least this similar to the question (cosine of the
            embeddings), the answer is "未找到相关条款".
        units: cite a title and its body paragraphs as one result (:mod:`qa.units`), scored by
            its best member; False cites every clause on its own.
    """

    mode: SearchMode = "hybrid"
    fusion: FusionName = "weighted"
    weights: tuple[float, float] | None = (0.3, 0.7)
    norm: Norm = "zscore"
    depth: int = 50
    place_boost: float = 1.5
    unit_boost: float = 1.3
    field_boost: float = 1.2
    structural_penalty: float = 0.3
    min_similarity: float = 0.875
    units: bool = True


@dataclass(frozen=True, slots=True)
class Result:
    """One cited clause with its score and the spans of the question's terms in its text."""

    clause: Clause
    score: float
    highlights: tuple[tuple[int, int], ...] = ()
    similarity: float | None = None  # cosine similarity of question and clause, when the dense side found it
    body: tuple[Clause, ...] = ()  # the unit's body paragraphs, shown under the title ``clause``


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to one question.

    Attributes:
        question: as asked.
        intent: what the question was read as asking.
        answer: one sentence built from the best result's fields, or "未找到相关条款".
        results: cited clauses, best first (every matching task for a list question).
        no_answer: nothing relevant enough was found.
    """

    question: str
    intent: QuestionIntent
    answer: str
    results: tuple[Result, ...] = field(default=())
    no_answer: bool = False


class Answerer:
    """Answers questions from a clause store; create once, call :meth:`ask` many times.

    Args:
        index: the loaded index (files or PostgreSQL); its clauses are also the task ledger.
        params: ranking parameters (defaults from the evaluation).
        today: the date "今年" in questions refers to (default: the day of the question).
    """

    def __init__(self, index: ClauseStore, params: RankingParams | None = None, today: date | None = None):
        self.index = index
        self.params = params or RankingParams()
        self.today = today
        self.refresh()

    def refresh(self) -> None:
        """Re-read unit and place names after the index's documents changed."""
        self._generation = self.index.generation
        self.vocab = QuestionVocabulary.from_clauses(self.index.clauses)
        self.units = CitationUnits.from_clauses(self.index.clauses)

    def ask(self, question: str, top_k: int = 5) -> Answer:
        """Answer ``question`` with up to ``top_k`` cited clauses (every task for a list question).

        Raises:
            InvalidQueryError: the question is empty, longer than 512 characters, or top_k is
                outside 1..50.
        """
        question = validate_question(question)
        if not 1 <= top_k <= MAX_TOP_K:
            raise InvalidQueryError(f"top_k must be between 1 and {MAX_TOP_K}; got {top_k}")
        if self.index.generation != self._generation:  # documents changed, maybe on another replica
            self.refresh()
        intent = read_question(question, self.vocab, self.today or date.today())
        if intent.kind == "list":
            return self._list(intent)
        return self._search(intent, top_k)

    def _list(self, intent: QuestionIntent) -> Answer:
        tasks = [c for c in self.index.clauses if c.is_task and self._matches(intent, c)]
        if intent.sources:
            tasks = [c for c in tasks if c.source in intent.sources] or tasks
        ranked = self._rank_tasks(intent.question, tasks)[:MAX_LIST_RESULTS]
        what = f"{'、'.join(intent.units)}{'牵头的' if intent.lead_only else '相关的'}" if intent.units else ""
        terms = question_terms(self.index.tokenizer, intent.question)
        results = tuple(Result(c, s, term_spans(terms, c.text)) for c, s in ranked)
        return Answer(intent.question, intent, list_sentence(len(tasks), what), results, not tasks)

    def _matches(self, intent: QuestionIntent, clause: Clause) -> bool:
        if not intent.units:
            return TaskFilter(due_before=intent.due_before, ongoing=intent.ongoing).matches(clause)
        return any(
            TaskFilter(
                unit=u, lead_only=intent.lead_only, due_before=intent.due_before, ongoing=intent.ongoing
            ).matches(clause)
            for u in intent.units
        )

    def _rank_tasks(self, question: str, tasks: Sequence[Clause]) -> list[tuple[Clause, float]]:
        """Order a list answer by relevance to the question's remaining words, then document order."""
        if not tasks:
            return []
        wanted = {c.id for c in tasks}
        hits = self.index.search(question, mode="bm25", top_k=min(len(self.index.clauses), 1000))
        score = {h.clause.id: h.score for h in hits if h.clause.id in wanted}
        order = {c.id: i for i, c in enumerate(tasks)}
        return sorted(((c, score.get(c.id, 0.0)) for c in tasks), key=lambda cs: (-cs[1], order[cs[0].id]))

    def _search(self, intent: QuestionIntent, top_k: int) -> Answer:
        p = self.params
        hits = self.index.search(
            intent.question,
            mode=p.mode,
            top_k=max(top_k, p.depth),
            fusion=p.fusion,
            weights=p.weights,
            norm=p.norm,
        )
        ranked = sorted(((h, self._adjusted(intent, h)) for h in hits), key=lambda hs: -hs[1])
        if not ranked or self._irrelevant(hits):
            return Answer(intent.question, intent, NO_ANSWER, (), True)
        terms = question_terms(self.index.tokenizer, intent.question)
        results = tuple(self._cite(terms, ranked)[:top_k])
        best = fields_clause(results[0].clause, results[0].body)
        return Answer(intent.question, intent, answer_sentence(best, intent.kind), results, False)

    def _cite(self, terms: Sequence[str], ranked: Sequence[tuple[Hit, float]]) -> list[Result]:
        """Results in ranked order; with units, a title and its body paragraphs become one result
        (the title cited, the body under it) at the rank of its best member."""
        if not self.params.units:
            return [Result(h.clause, s, term_spans(terms, h.clause.text), h.dense_score) for h, s in ranked]
        results: dict[str, Result] = {}
        for hit, s in ranked:
            head_id = self.units.head(hit.clause.id)
            if head_id not in results:
                head = self.units.by_id.get(head_id, hit.clause)
                body = self.units.body(head_id)
                results[head_id] = Result(head, s, term_spans(terms, head.text), hit.dense_score, body)
        return list(results.values())

    def _adjusted(self, intent: QuestionIntent, hit: Hit) -> float:
        """The hit's score times the boosts that apply to it (see :class:`RankingParams`)."""
        p, clause, score = self.params, hit.clause, hit.score
        if intent.sources and clause.source in intent.sources:
            score *= p.place_boost
        if intent.units and any(TaskFilter(unit=u).matches(clause) for u in intent.units):
            score *= p.unit_boost
        if (intent.wants_units and clause.lead_units) or (intent.wants_deadline and clause.deadline):
            score *= p.field_boost
        if clause.kind == ClauseKind.HEADING and not clause.is_task:
            score *= p.structural_penalty
        return score

    def _irrelevant(self, hits: Sequence[Hit]) -> bool:
        """True when even the closest clause is less similar to the question than the threshold."""
        best = max((h.dense_score for h in hits if h.dense_score is not None), default=None)
        return best is not None and best < self.params.min_similarity


def highlight_spans(tokenizer: Callable[[str], list[str]], question: str, text: str) -> tuple[tuple[int, int], ...]:
    """Spans in ``text`` of the question's content words (two characters or more), longest first.

    Example:
        >>> highlight_spans(Tokenizer(), "企业开办一网通办", "推进企业开办“一网通办”")
        ((2, 6), (7, 11))
    """
    return term_spans(question_terms(tokenizer, question), text)


def question_terms(tokenizer: Callable[[str], list[str]], question: str) -> tuple[str, ...]:
    """The question's content words of two characters or more, longest first."""
    return tuple(sorted({t for t in tokenizer(question) if len(t) >= 2}, key=len, reverse=True))


def term_spans(terms: Sequence[str], text: str) -> tuple[tuple[int, int], ...]:
    """Non-overlapping spans of ``terms`` in ``text`` (earlier terms win), in text order."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        for m in re.finditer(re.escape(term), text):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append((m.start(), m.end()))
    return tuple(sorted(spans))


def validate_question(question: str) -> str:
    """The question stripped of surrounding space.

    Raises:
        InvalidQueryError: empty, whitespace-only or longer than 512 characters; the message
            is in Chinese and English.
    """
    if not isinstance(question, str) or not question.strip():
        raise InvalidQueryError("问题不能为空 / question must not be empty")
    question = question.strip()
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQueryError(
            f"问题过长（{len(question)} 字，上限 {MAX_QUESTION_CHARS}） / "
            f"question is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}"
        )
    return question


def result_record(result: Result) -> dict[str, Any]:
    """The JSON record of one cited clause (the ledger record plus score and highlights).

    A citation unit is recorded by its title clause, with ``body`` (its paragraphs, each with
    id, path, text and span) and ``unit_ids`` (title and body ids); its fields are those of
    :func:`qa.units.fields_clause`.
    """
    record = task_record(result.clause)
    source = fields_clause(result.clause, result.body)
    if source is not result.clause:
        fields = task_record(source)
        for key in ("lead_units", "units", "deadline", "deadline_date", "deadline_kind"):
            record[key] = fields[key]
        for key in ("lead_source", "units_source", "deadline_source"):
            record[key] = fields[key]
    record["body"] = [{"id": b.id, "path": b.path, "text": b.text, "start": b.start, "end": b.end} for b in result.body]
    record["unit_ids"] = [result.clause.id, *(b.id for b in result.body)]
    record["score"] = round(result.score, 6)
    record["similarity"] = None if result.similarity is None else round(result.similarity, 6)
    record["highlights"] = [list(span) for span in result.highlights]
    record["deadline_inherited"] = source.deadline_source in (FieldSource.INHERITED, FieldSource.PLAN)
    return record


def answer_record(answer: Answer) -> dict[str, Any]:
    """The contract JSON: {"question", "answer", "no_answer", "intent", "results": [...]}."""
    intent = answer.intent
    return {
        "question": answer.question,
        "answer": answer.answer,
        "no_answer": answer.no_answer,
        "intent": {
            "kind": intent.kind,
            "units": list(intent.units),
            "lead_only": intent.lead_only,
            "sources": sorted(intent.sources),
            "due_before": intent.due_before,
            "ongoing": intent.ongoing,
        },
        "results": [result_record(r) for r in answer.results],
    }
