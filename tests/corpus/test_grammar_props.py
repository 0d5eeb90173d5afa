"""Property tests generated from the label grammar: any label word of a role, in any order, bracket
family and separator, reads back the units and deadline that were written."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.grammar import LABELS, Role
from corpus.parser import parse_text

# Names chosen to be hard to split: 和 inside a name, a bracket inside a name, a 各… place list.
UNITS = (
    "区数据局",
    "市文化广电和旅游局",
    "区住房和城乡建设局",
    "市委组织部(市编办)",
    "县交通运输局",
    "区人力资源和社会保障局",
    "各街道办事处",
    "区财政局",
    "区市场监管局",
)
DEADLINES = ("2024年6月底前", "年底前", "2024年第三季度", "持续推进", "上半年", "2025年3月31日前", "三季度末")
# Bracket families around a whole label block: none, () （） 〔〕 【】 [] 〖〗.
BLOCK_BRACKETS = (("", ""), ("(", ")"), ("（", "）"), ("〔", "〕"), ("【", "】"), ("[", "]"), ("〖", "〗"))
# How a label word is written: "word:", "word：", "【word】", "〔word〕".
LABEL_FORMS = ("{}:", "{}：", "【{}】", "〔{}〕")
SEPARATORS = ("；", ";", "，", ",", "  ")
UNIT_JOINERS = ("、", "，", "和")


def words(role: Role) -> list[str]:
    # bare "牵头"/"时限" need a non-Chinese character before them; covered by unit tests
    return [w for w, r in LABELS.items() if r is role and len(w) > 2]


@dataclass(frozen=True)
class Written:
    lead: tuple[str, ...]
    units: tuple[str, ...]
    deadline: str | None
    parts: tuple[tuple[str, str], ...]  # (label word, value) in written order


@st.composite
def label_blocks(draw: st.DrawFn) -> Written:
    names = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=4, unique=True))
    n_lead = draw(st.integers(min_value=0, max_value=min(2, len(names))))
    lead, units = tuple(names[:n_lead]), tuple(names[n_lead:])
    deadline = draw(st.one_of(st.none(), st.sampled_from(DEADLINES)))
    parts: list[tuple[str, str]] = []
    if lead:
        parts.append((draw(st.sampled_from(words(Role.LEAD))), _join(draw, lead)))
    if units:
        role = draw(st.sampled_from((Role.RESPONSIBLE, Role.ASSIST)))
        parts.append((draw(st.sampled_from(words(role))), _join(draw, units)))
    if deadline:
        parts.append((draw(st.sampled_from(words(Role.DEADLINE))), deadline))
    if draw(st.booleans()):
        parts.append((draw(st.sampled_from(words(Role.PERSON))), "王某某"))
    order = draw(st.permutations(parts))
    return Written(lead, units, deadline, tuple(order))


def _join(draw: st.DrawFn, names: tuple[str, ...]) -> str:
    out = names[0]
    for name in names[1:]:
        out += draw(st.sampled_from(UNIT_JOINERS)) + name
    return out


def _render(draw: st.DrawFn, written: Written) -> str:
    form = draw(st.sampled_from(LABEL_FORMS))
    sep = draw(st.sampled_from(SEPARATORS))
    return sep.join(form.format(word) + value for word, value in written.parts)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_inline_block_at_the_end_of_an_item_round_trips(data: st.DataObject) -> None:
    written = data.draw(label_blocks())
    open_, close = data.draw(st.sampled_from(BLOCK_BRACKETS))
    block = _render(data.draw, written)
    joiner = "" if open_ else data.draw(st.sampled_from(("。", "。 ", "；")))
    text = f"2024年1月5日\n一、重点任务\n1.推进政务服务一网通办{joiner}{open_}{block}{close}\n"
    _check(text, written)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_labels_on_their_own_lines_round_trip(data: st.DataObject) -> None:
    written = data.draw(label_blocks())
    form = data.draw(st.sampled_from(LABEL_FORMS))
    lines = "\n".join(form.format(word) + value for word, value in written.parts)
    _check(f"2024年1月5日\n一、重点任务\n1.推进政务服务一网通办。\n{lines}\n2.下一项。\n", written)


def _check(text: str, written: Written) -> None:
    doc = parse_text(text, source="t.txt")
    clause = next(c for c in doc.clauses if c.text.startswith("推进政务服务一网通办"))
    assert clause.text.rstrip("。；;") == "推进政务服务一网通办", text
    assert clause.lead_units == written.lead, text
    assert clause.units == written.units, text
    assert (clause.deadline.text if clause.deadline else None) == written.deadline, text
    if written.deadline:
        assert clause.deadline is not None and (clause.deadline.date or clause.deadline.kind == "ongoing"), text
