"""Read a chat turn against the previous one: new question, or a follow-up of which kind.

Follow-ups are recognised by structure, not by a list of sentences: a turn that has no topic
words of its own (once its ask words, markers, places, units and times are taken away) leans on
the previous turn. What it names decides how:

- 「第二条什么时候完成？」 — an ordinal: the N-th result of the previous answer ("reference");
- 「上面这些里哪些已经到期？」 — the previous results as a set ("subset");
- 「湖北省的呢？」「市发改委牵头的呢？」「2021年底前的呢？」 — a place, unit or time of its own: the
  previous question with that part replaced ("swap");
- 「那什么时候完成？」「还有哪些部门参与？」「谁负责？」 — nothing of its own: the previous answer's
  cited clause, asked the new way ("clause");
- 「那跨境电商呢？」 — topic words with a marker (那…/…呢) and no place: the new topic in the
  previous question's place ("topic");
- anything else with topic words of its own starts afresh ("new").

Example:
    >>> reading = read_turn("湖北省的呢？", "岳阳片区谁牵头企业开办一网通办？", vocab)
    >>> reading.mode, reading.question
    ('swap', '湖北省谁牵头企业开办一网通办')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from corpus.aliases import canonical_unit
from corpus.text import fold
from qa.intent import QuestionVocabulary, read_question

Mode = Literal["new", "clause", "reference", "subset", "swap", "topic"]

# Markers of a turn that leans on the previous one: "那/那么…", "还有…", "…呢", "这个/该项/上面/其中".
_LEADING = re.compile(r"^(?:那么|那|还有|另外|再问一下|再问|以及|这个|这项|该项|此项|这条|该条|它的|它|其)")
_TRAILING = re.compile(r"呢$")
_SET_REF = re.compile(r"上面|上述|以上|前面|这些|那些|其中|刚才")
_DIGITS = "一二三四五六七八九十"
# "第二条", "第3项", "第十个": a result of the previous answer by its number.
_ORDINAL = re.compile(r"第\s*([一二三四五六七八九十]{1,2}|\d{1,2})\s*(?:条|项|个|点)")
# Words every question uses whatever its topic: what is asked and how (who / when / how many),
# the verbs of responsibility, particles. What is left after removing them is the topic.
_ASK_WORDS = re.compile(
    r"什么时候|何时|完成时限|完成时间|时限|期限|截止|到期|逾期|多久|哪天|哪一年|几月|时间节点|"
    r"谁|哪个|哪些|哪|什么|多少|几个|几项|是否|怎么样|怎么|如何|有没有|"
    r"牵头单位|责任单位|配合单位|参与单位|牵头|负责|配合|参与|参加|协同|完成|落实|实施|推进|办理|承担|主管|"
    r"部门|单位|机构|时间|时候|要求|内容|具体|情况|任务|工作|事项|措施|条款|规定|"
    r"已经|已|还|都|要|需要|应该|应|请问|一下|分别|呢|吗|呀|啊|吧|是|的|了|有|在|由|和|与|及|里|中|"
    r"上面|上述|以上|前面|这些|那些|其中|刚才|这个|这项|该项|此项|这条|该条|那么|那|这|它|其|另外|再|以及"
)
# The ask words of two characters or more (and 谁/哪), for the 「接上一问：…」 label.
_ASK_PHRASES = re.compile("|".join(w for w in _ASK_WORDS.pattern.split("|") if len(w) >= 2 or w in "谁哪"))
_EDGE = re.compile(r"^[的是了吗呢啊吧有在由和与及里还都要已]+|[的是了吗呢啊吧有在由和与及里还都要已]+$")
_PUNCT = re.compile(r"[\s\W_]+")
_PLACE_SUFFIX = r"(?:港片区|片区|自贸区|省|市|区)?"
_TIME = re.compile(
    r"(?:\d{4}\s*年)?\s*\d{1,2}\s*月\s*(?:底|末)?\s*(?:前|以前|之前)|"
    r"(?:\d{4}|今年|本年)\s*年?\s*(?:底|末)\s*(?:前|以前|之前)?|\d{4}\s*年"
)
# 「什么时候上线？」: so short that its one remaining word ("上线") is a verb, not a topic.
_SHORT_QUESTION = 8
# Canonical ask phrases appended when a new topic borrows the previous question's kind.
_ASK_PHRASE = {"who": "谁牵头", "when": "什么时候完成", "number": "多少"}


@dataclass(frozen=True, slots=True)
class Parts:
    """What a turn names: places (as written), units (canonical), times (as written), topic residue."""

    places: tuple[str, ...]
    units: tuple[str, ...]
    times: tuple[str, ...]
    topic: str


@dataclass(frozen=True, slots=True)
class Reading:
    """How one turn is understood.

    Attributes:
        mode: new / clause / reference / subset / swap / topic (see the module docstring).
        question: the question to search for (new, swap, topic) or the turn as asked.
        ordinal: 0-based result number of a "reference" turn.
        kind_hint: the kind the turn asks for when it asks anything ("" when it only leans on the
            previous turn, e.g. 「湖北省的呢？」).
    """

    mode: Mode
    question: str
    ordinal: int | None = None
    kind_hint: str = ""


def parts(question: str, vocab: QuestionVocabulary) -> Parts:
    """The places, units, times and topic words of ``question``.

    Example:
        >>> parts("岳阳片区谁牵头企业开办一网通办？", vocab)
        Parts(places=('岳阳片区',), units=(), times=(), topic='企业开办一网通办')
    """
    folded = _PUNCT.sub("", fold(question))
    places = tuple(m.group(0) for m in _place_pattern(vocab).finditer(folded)) if vocab.places else ()
    times = tuple(m.group(0) for m in _TIME.finditer(folded))
    units = read_question(question, vocab).units
    rest = canonical_unit(folded)
    for text in (*units, *places, *times):
        rest = rest.replace(text, " ")
    rest = _ORDINAL.sub(" ", rest)
    topic = _ASK_WORDS.sub(" ", rest)
    return Parts(places, units, times, "".join(topic.split()))


def _place_pattern(vocab: QuestionVocabulary) -> re.Pattern[str]:
    names = "|".join(sorted(map(re.escape, vocab.places), key=len, reverse=True))
    return re.compile(f"(?:{names}){_PLACE_SUFFIX}")


def is_marked(question: str) -> bool:
    """True when the turn carries a marker of leaning on the previous one (那…, …呢, 上面, 第N条)."""
    text = _PUNCT.sub("", fold(question))
    return bool(_LEADING.search(text) or _TRAILING.search(text) or _SET_REF.search(text) or _ORDINAL.search(text))


def ordinal(question: str) -> int | None:
    """The 0-based number of 「第N条」 in ``question``, or None."""
    m = _ORDINAL.search(fold(question))
    if not m:
        return None
    raw = m.group(1)
    if raw.isdigit():
        return int(raw) - 1
    if len(raw) == 1:
        return _DIGITS.index(raw)
    tens = 1 if raw[0] == "十" else _DIGITS.index(raw[0]) + 1
    return tens * 10 + (0 if raw[-1] == "十" else _DIGITS.index(raw[-1]) + 1) - 1


def read_turn(question: str, previous: str | None, vocab: QuestionVocabulary) -> Reading:
    """Read ``question`` as a new question or a follow-up of the ``previous`` question.

    Args:
        question: this turn as asked.
        previous: the question the previous turn was understood as (None: first turn).
        vocab: the corpus's unit and place names.

    Returns:
        The reading; a follow-up's ``question`` is the one to search for.
    """
    own = parts(question, vocab)
    intent = read_question(question, vocab)
    asks = intent.wants_units or intent.wants_deadline or intent.kind in ("number", "list")
    kind_hint = intent.kind if asks else ""
    if previous is None:
        return Reading("new", question, kind_hint=kind_hint)
    if len(own.topic) >= 3 or (len(own.topic) == 2 and not _short_ask(question, bool(kind_hint))):
        if is_marked(question) and not own.places and not own.units:
            return Reading("topic", _with_topic(question, previous, kind_hint, vocab), kind_hint=kind_hint)
        return Reading("new", question, kind_hint=kind_hint)
    number = ordinal(question)
    if number is not None:
        return Reading("reference", question, ordinal=number, kind_hint=kind_hint)
    if _SET_REF.search(fold(question)):
        return Reading("subset", question, kind_hint=kind_hint)
    if intent.kind == "list" and not is_marked(question):
        return Reading("new", question, kind_hint=kind_hint)  # 「省税务局牵头的任务有哪些？」 stands alone
    if own.places or own.units or own.times:
        swapped = swap(previous, own, vocab)
        if kind_hint and kind_hint != read_question(swapped, vocab).kind:
            swapped += _ASK_PHRASE.get(kind_hint, "")
        return Reading("swap", swapped, kind_hint=kind_hint)
    return Reading("clause", question, kind_hint=kind_hint)


def _short_ask(question: str, asks: bool) -> bool:
    """A short question that asks something and has one two-character word left: 「什么时候上线？」."""
    return asks and len(_PUNCT.sub("", question)) <= _SHORT_QUESTION


def swap(previous: str, new: Parts, vocab: QuestionVocabulary) -> str:
    """``previous`` with its places, units and times replaced by those of ``new`` (added if absent).

    Example:
        >>> swap("岳阳片区谁牵头企业开办一网通办？", parts("湖北省的呢？", vocab), vocab)
        '湖北省谁牵头企业开办一网通办'
    """
    text = _PUNCT.sub("", fold(previous))
    old = parts(previous, vocab)
    if new.places:
        text = _replace_all(text, old.places, new.places[0])
    if new.times:
        text = _replace_all(text, old.times, new.times[0], at_end=True)
    if new.units:
        text = canonical_unit(text)
        if old.units:
            text = _replace_all(text, old.units, new.units[0])
        elif "谁" in text:  # "谁牵头X" asked about another unit: "市发改委牵头X"
            text = text.replace("谁", new.units[0], 1)
        elif "牵头" in text:
            text = text.replace("牵头", f"{new.units[0]}牵头", 1)
        else:
            text = new.units[0] + text
    return text


def _replace_all(text: str, olds: tuple[str, ...], new: str, at_end: bool = False) -> str:
    """Replace the first of ``olds`` by ``new`` and drop the others; add ``new`` when none occurs."""
    present = [o for o in olds if o in text]
    if not present:
        return text + new if at_end else new + text
    text = text.replace(present[0], new, 1)
    for other in present[1:]:
        text = text.replace(other, "", 1)
    return text


def _with_topic(question: str, previous: str, kind_hint: str, vocab: QuestionVocabulary) -> str:
    """A new topic asked in the previous question's place, with its kind when it asks none."""
    text = _TRAILING.sub("", _LEADING.sub("", _PUNCT.sub("", fold(question))))
    text = re.sub(r"的$", "", text)
    places = parts(previous, vocab).places
    prefix = places[0] if places else ""
    suffix = "" if kind_hint else _ASK_PHRASE.get(read_question(previous, vocab).kind, "")
    return prefix + text + suffix


def topic_label(question: str, vocab: QuestionVocabulary) -> str:
    """The place and topic of a question, for the reply's 「接上一问：…」 note.

    Example:
        >>> topic_label("岳阳片区谁牵头企业开办一网通办？", vocab)
        '岳阳片区 企业开办一网通办'
    """
    own = parts(question, vocab)
    rest = canonical_unit(_PUNCT.sub("", fold(question)))
    for text in (*own.units, *own.places, *own.times):
        rest = rest.replace(text, " ")
    # Only whole ask words go; single characters only at the ends, so "中非" keeps its "中".
    words = [_EDGE.sub("", w) for w in _ASK_PHRASES.sub(" ", rest).split()]
    topic = "".join(w for w in words if len(w) >= 2)
    return " ".join(x for x in (*own.places, *own.units, *own.times, topic) if x)
