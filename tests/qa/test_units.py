"""Citation units: a title and its body paragraphs are indexed, ranked and cited as one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from corpus.model import Clause, ClauseKind, Deadline, DeadlineKind, clause_id
from eval.metrics import SystemOutput, unit_qrels
from index.chunks import chunk_clauses, citation_units
from index.hybrid import HybridIndex
from index.tokenize import Tokenizer
from qa.answer import Answerer, RankingParams
from qa.records import AnswerRecord
from tests.index.helpers import HashEmbedder


def _clause(text: str, kind: ClauseKind, path: str, headings: tuple[str, ...], **fields: Any) -> Clause:
    return replace(
        Clause(clause_id("case.txt", path, text), "case.txt", "最佳实践案例", path, headings, text, 0, len(text), kind),
        **fields,
    )


def case_clauses() -> list[Clause]:
    """A case title with its body, and a task heading whose body sits under a structural "评估目标"."""
    top = ("最佳实践案例",)
    title = "国际贸易“单一窗口”(上海自贸试验区提供)。"
    task = "加强重大项目用地保障。"
    deadline = Deadline("2023年12月底前", "2023-12-31", DeadlineKind.BY_DATE)
    return [
        _clause(title, ClauseKind.HEADING, "案例1", top),
        _clause(
            "主要做法:“单一窗口”由市口岸办牵头建设。", ClauseKind.TEXT, "案例1", (*top, title), lead_units=("市口岸办",)
        ),
        _clause(task, ClauseKind.HEADING, "(四)", top, lead_units=("市自然资源局",), deadline=deadline),
        _clause("评估目标。", ClauseKind.HEADING, "(四) 2.", (*top, task)),
        _clause("重大用地保障体系初步建立,土地供给时间压缩。", ClauseKind.TEXT, "(四) 2.", (*top, task, "评估目标。")),
        _clause("推行企业开办“一网通办”。", ClauseKind.ITEM, "(五) 1.", top, lead_units=("市市场监管局",)),
    ]


def test_bodies_belong_to_their_title_over_a_structural_heading() -> None:
    c = case_clauses()
    assert citation_units(c) == {c[0].id: (c[1].id,), c[2].id: (c[4].id,)}


def test_unit_chunks_carry_the_body_under_the_title() -> None:
    c = case_clauses()
    plain = {ch.clause_id: ch.text for ch in chunk_clauses(c, prefix="none")}
    units = {ch.clause_id: ch.text for ch in chunk_clauses(c, prefix="none", units=True)}
    assert plain[c[0].id] == c[0].text
    assert units[c[0].id] == f"{c[0].text} {c[1].text}"
    assert units[c[5].id] == plain[c[5].id]


def test_answer_cites_the_unit_once_title_above_body(tmp_path: Path) -> None:
    c = case_clauses()
    index = HybridIndex.build(c, HashEmbedder(), Tokenizer(), tmp_path / "idx", progress=False)
    answer = Answerer(index, RankingParams(min_similarity=0.0)).ask("重大用地保障体系什么时候初步建立", top_k=5)
    first = answer.results[0]
    assert first.clause.id == c[2].id and [b.id for b in first.body] == [c[4].id]
    ids = [r.clause.id for r in answer.results]
    assert c[4].id not in ids and len(ids) == len(set(ids))
    record = AnswerRecord.of(answer).model_dump(mode="json")["results"][0]
    assert record["unit_ids"] == [c[2].id, c[4].id]
    assert record["deadline"] == "2023年12月底前"
    assert "2023年12月底前" in answer.answer

    case = Answerer(index, RankingParams(min_similarity=0.0)).ask("上海单一窗口由谁牵头", top_k=5)
    head = AnswerRecord.of(case).model_dump(mode="json")["results"][0]
    assert head["id"] == c[0].id and head["lead_units"] == ["市口岸办"]  # the body's fields, title cited

    clauses_only = Answerer(index, RankingParams(min_similarity=0.0, units=False)).ask("重大用地保障体系", top_k=5)
    assert all(not r.body for r in clauses_only.results)


def test_a_judged_body_counts_at_its_units_rank() -> None:
    out = SystemOutput(("t1", "x"), units={"t1": ("t1", "b1")})
    assert unit_qrels({"b1": 2, "x": 1}, out) == {"t1": 2, "x": 1}
    assert unit_qrels({"b1": 1, "t1": 2}, out) == {"t1": 2}


def test_a_long_title_cut_short_in_the_heading_path_is_still_found() -> None:
    top = ("主要任务和措施",)
    title = "放宽外商设立投资性公司申请条件,申请前一年外国投资者的资产总额要求降为不低于2亿美元。"
    cut = title[:30] + "…"  # the parser keeps long heading texts cut in heading paths
    c = [
        _clause(title, ClauseKind.HEADING, "(三十九)", top, lead_units=("市商务局",)),
        _clause("评估目标。", ClauseKind.HEADING, "(三十九) 2.", (*top, cut)),
        _clause(
            "赋予外商设立的投资性公司更广泛的经营范围。", ClauseKind.TEXT, "(三十九) 2.", (*top, cut, "评估目标。")
        ),
    ]
    assert citation_units(c) == {c[0].id: (c[2].id,)}
