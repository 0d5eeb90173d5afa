"""Answer the last turn of a conversation, reading follow-ups against the turns before it.

No state is kept between calls: the previous turns are replayed (each one only as far back as
its follow-ups reach), so an OpenAI ``messages`` list, a DingTalk conversation's recent
questions or the web page's history all give the same answer. The answer text starts with what
was understood, 「（接上一问：岳阳片区 企业开办一网通办）」, so a wrong guess is visible.

Example:
    >>> dialogue = Dialogue(answerer)
    >>> turn = dialogue.ask(["岳阳片区谁牵头企业开办一网通办？", "那什么时候完成？"])
    >>> turn.answer.answer
    '（接上一问：岳阳片区 企业开办一网通办）完成时限：2023年8月底前。由市市场监管局牵头。（《…》四、(一) 1.(1)）'
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from corpus.errors import InvalidQueryError
from corpus.ledger import TaskFilter
from corpus.status import STATUS_LABELS, TaskStatus
from qa.answer import MAX_TOP_K, Answer, Answerer, validate_question
from qa.followup import Reading, parts, read_turn, topic_label
from qa.intent import read_question
from qa.sentence import NO_ANSWER, answer_sentence

#: Turns replayed at most (the last question included); older ones are out of context.
MAX_TURNS = 4
#: Messages that end a conversation's context: the next question starts afresh.
RESET_WORDS = frozenset({"新问题", "重新开始", "清空", "清除上下文", "换个问题"})
# "已经到期", "逾期了", "过期": due before today.
_EXPIRED = re.compile(r"已经?到期|已经?逾期|已经?过期|到期了|逾期|超期")


@dataclass(frozen=True, slots=True)
class Turn:
    """One answered turn.

    Attributes:
        answer: the answer; its text starts with the 「（接上一问：…）」 note for a follow-up.
        reading: how the turn was read (mode, the question searched for).
        context: the question the turn is understood as, which the next turn leans on.
        understood: the note's content ("" for a new question).
    """

    answer: Answer
    reading: Reading
    context: str
    understood: str = ""


class Dialogue:
    """Answers conversations from one :class:`Answerer`; create once, call :meth:`ask` per turn.

    Args:
        answerer: the question answerer.
        max_turns: how many of the last turns may be replayed.
        cache_size: replayed turns kept, so a long conversation is not re-run at every turn.
    """

    def __init__(self, answerer: Answerer, max_turns: int = MAX_TURNS, cache_size: int = 256) -> None:
        self.answerer = answerer
        self.max_turns = max_turns
        self._cache: OrderedDict[tuple[Any, ...], Turn] = OrderedDict()
        self._cache_size = cache_size

    def ask(self, turns: Sequence[str], top_k: int = 5, as_of: date | None = None) -> Turn:
        """Answer ``turns[-1]``, the earlier user turns (oldest first) being its context.

        ``as_of`` is the reference date of task statuses and time phrases, as in
        :meth:`Answerer.ask` (default: the answerer's ``today``, else today).

        Earlier turns that are not valid questions (empty, too long) or reset words (「新问题」)
        end the context there.

        Raises:
            InvalidQueryError: the last turn is empty or too long, no turn is given, or top_k
                is outside 1..50.
        """
        if not turns:
            raise InvalidQueryError("对话中没有用户消息 / the conversation has no user message")
        if not 1 <= top_k <= MAX_TOP_K:
            raise InvalidQueryError(f"top_k must be between 1 and {MAX_TOP_K}; got {top_k}")
        last = validate_question(turns[-1])
        history: list[str] = []
        for text in turns[-self.max_turns : -1]:
            try:
                history.append(validate_question(text))
            except InvalidQueryError:
                history.clear()
            if history and history[-1] in RESET_WORDS:  # 「新问题」 typed in a chat client
                history.clear()
        day = as_of or self.answerer.today or date.today()
        return self._turn((*history, last), top_k, day)

    def _turn(self, turns: tuple[str, ...], top_k: int, day: date) -> Turn:
        key = (self.answerer.index.generation, turns, top_k, day)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        turn = self._answer(turns, top_k, day)
        self._cache[key] = turn
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return turn

    def _answer(self, turns: tuple[str, ...], top_k: int, day: date) -> Turn:
        question, earlier = turns[-1], turns[:-1]
        vocab = self.answerer.vocab
        # The reading's mode does not depend on the previous turn's words: decide it first,
        # and replay the earlier turns only for a follow-up.
        if not earlier or read_turn(question, "", vocab).mode == "new":
            reading = read_turn(question, None, vocab)
            return Turn(self.answerer.ask(question, top_k, as_of=day), reading, question)
        before = self._turn(earlier, top_k, day)  # 「第N条」 counts what the user was shown
        reading = read_turn(question, before.context, vocab)
        understood = topic_label(before.context, vocab)
        if reading.mode in ("new", "swap", "topic"):
            answer = self.answerer.ask(reading.question, top_k, as_of=day)
            understood = topic_label(reading.question, vocab)
            answer = replace(answer, question=question, answer=self._elsewhere(question, answer) + answer.answer)
            return _noted(Turn(answer, reading, reading.question, understood))
        if reading.mode == "subset":
            answer = self._subset(question, reading, before, day)
        else:
            answer = self._cited(question, reading, before, day)
        return _noted(Turn(replace(answer, as_of=day), reading, before.context, understood))

    def _elsewhere(self, question: str, answer: Answer) -> str:
        """A warning when the place this turn names has no answer and another document's clause is cited.

        「钦州呢？」 about a measure only other documents have must not read as 钦州's answer.
        """
        own = parts(question, self.answerer.vocab)
        sources = answer.intent.sources
        if not own.places or not sources or answer.no_answer or not answer.results:
            return ""
        if answer.results[0].clause.source in sources:
            return ""
        return f"{own.places[0]}的文件中未找到相关条款，以下是其他文件中最接近的："

    def _cited(self, question: str, reading: Reading, before: Turn, day: date) -> Answer:
        """The previous answer's first (or N-th) clause, answered the way this turn asks."""
        intent = read_question(question, self.answerer.vocab, day)
        kind = reading.kind_hint or before.answer.intent.kind
        if kind == "list":
            kind = "who" if intent.wants_units else "when"
        intent = replace(intent, kind=kind)  # type: ignore[arg-type]
        results = before.answer.results
        number = reading.ordinal or 0
        if before.answer.no_answer or not results:
            return Answer(question, intent, NO_ANSWER, (), True)
        if number >= len(results):
            text = f"上一问只有{len(results)}条结果，没有第{number + 1}条。"
            return Answer(question, intent, text, (), True)
        chosen = results[number]
        return Answer(question, intent, answer_sentence(chosen.clause, kind), (chosen,), False)

    def _subset(self, question: str, reading: Reading, before: Turn, today: date) -> Answer:
        """The previous answer's results that meet this turn's unit, time or due filter."""
        vocab = self.answerer.vocab
        intent = read_question(question, vocab, today)
        own = parts(question, vocab)
        due_before = intent.due_before
        if due_before is None and own.times:  # "2020年底前的" read as a list filter
            due_before = read_question(f"{own.times[0]}要完成的任务有哪些", vocab, today).due_before
        statuses = intent.statuses
        if due_before is None and _EXPIRED.search(question):
            # 「哪些已经到期」 keeps every result dated up to the reference date (ongoing ones too).
            due_before = today.isoformat()
            statuses = tuple(s for s in statuses if s != TaskStatus.OVERDUE)
        units = intent.units or (None,)
        lead_only = bool(intent.units) and (intent.lead_only or "牵头" in question)  # 「其中X牵头的？」
        filters = [
            TaskFilter(
                unit=u,
                lead_only=lead_only,
                due_before=due_before,
                due_after=intent.due_after,  # 「其中这个月到期的？」
                ongoing=intent.ongoing,
                statuses=statuses,  # 「其中30天内到期的？」: statuses on the reference date
                as_of=today.isoformat(),
            )
            for u in units
        ]
        kept = tuple(r for r in before.answer.results if any(f.matches(r.clause) for f in filters))
        what = _filter_words(intent.units, lead_only, due_before, intent.ongoing, statuses)
        total = len(before.answer.results)
        intent = replace(intent, kind="list", due_before=due_before, lead_only=lead_only, statuses=statuses)
        if not kept:
            return Answer(question, intent, f"上一问的{total}条结果中没有{what}的条款。", (), True)
        text = f"上一问的{total}条结果中，{what}的有{len(kept)}条。"
        if len(kept) == 1:
            text += answer_sentence(kept[0].clause, "who")
        return Answer(question, intent, text, kept, False)


def _filter_words(
    units: tuple[str, ...], lead_only: bool, due_before: str | None, ongoing: bool, statuses: tuple[TaskStatus, ...]
) -> str:
    words = []
    if units:
        words.append("、".join(units) + ("牵头" if lead_only else "负责"))
    if due_before:
        words.append(f"{due_before}前到期")
    if ongoing:
        words.append("持续推进")
    words.extend(STATUS_LABELS[s] for s in statuses if not (ongoing and s == TaskStatus.ONGOING))
    return "、".join(words) or "符合条件"


def _noted(turn: Turn) -> Turn:
    """The turn with 「（接上一问：…）」 in front of its answer text."""
    note = f"（接上一问：{turn.understood}）" if turn.understood else "（接上一问）"
    return replace(turn, answer=replace(turn.answer, answer=note + turn.answer.answer))
