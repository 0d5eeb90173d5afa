"""Document validity: draft markers, repeals matched to the library's titles, newer versions."""

from __future__ import annotations

import pytest

from corpus.errors import DocumentError
from corpus.model import Clause, ClauseKind
from corpus.validity import (
    DocumentInfo,
    document_validity,
    documents_from_clauses,
    draft_marker,
    repealed_titles,
    title_key,
)


@pytest.mark.parametrize(
    ("title", "text", "marker"),
    [
        ("岳阳片区实施方案(征求意见稿)", "", "征求意见稿"),
        ("关于优化营商环境的若干措施（代拟稿）", "", "代拟稿"),
        ("某市数据管理办法", "某市数据管理办法\n（讨论稿）\n第一条 为了…", "讨论稿"),
        ("某市招商引资奖励办法送审稿", "", "送审稿"),
        ("某市营商环境方案", "某市营商环境方案\n一、经专家讨论稿件内容后修改完善。", None),  # inside a sentence
        ("某市营商环境方案", "", None),
    ],
)
def test_draft_marker(title: str, text: str, marker: str | None) -> None:
    assert draft_marker(title, text) == marker


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("本方案自印发之日起施行,原《某市营商环境方案》同时废止。", ["某市营商环境方案"]),
        ("《甲办法》(鄂政发〔2018〕5号)、《乙规定》同时废止。", ["甲办法", "乙规定"]),
        ("本办法施行后,《某市招商奖励办法》停止执行。", ["某市招商奖励办法"]),
        # The law the text follows is in another clause: not repealed.
        ("根据《中华人民共和国行政许可法》,制定本办法。本办法自公布之日起施行,原《旧办法》同时废止。", ["旧办法"]),
        ("请认真贯彻落实《总体方案》。", []),
    ],
)
def test_repealed_titles(text: str, titles: list[str]) -> None:
    assert repealed_titles(text) == titles


def test_title_key_strips_circular_wrapper_markers_and_punctuation() -> None:
    assert title_key("省政府关于印发《某某实施方案》的通知") == "某某实施方案"
    assert title_key("某某实施方案（征求意见稿）") == "某某实施方案"


def test_repeal_marks_the_named_document_superseded() -> None:
    docs = [
        DocumentInfo("old.txt", "市人民政府关于印发《某市优化营商环境若干措施》的通知", "一、推行一网通办。"),
        DocumentInfo("other.txt", "某市招商引资办法", "一、…"),
        DocumentInfo(
            "new.docx",
            "某市优化营商环境若干措施(2021年版)",
            "本措施自印发之日起施行,原《某市优化营商环境若干措施》同时废止。",
        ),
    ]
    validity = document_validity(docs)
    old = validity["old.txt"]
    assert old.status == "superseded" and old.label == "已被替代" and old.superseded_by == ("new.docx",)
    assert old.reason and "同时废止" not in old.reason and "废止或停止执行" in old.reason
    assert validity["new.docx"].supersedes == ("old.txt",) and validity["new.docx"].status == "in_force"
    assert validity["other.txt"].status == "in_force" and validity["other.txt"].label == "现行有效"


def test_same_title_newer_version_and_final_over_draft() -> None:
    draft = DocumentInfo("draft.txt", "某区数据管理办法(征求意见稿)", "某区数据管理办法(征求意见稿)\n2021年3月1日")
    final = DocumentInfo("final.txt", "某区数据管理办法", "某区数据管理办法\n2021年1月5日")
    again = DocumentInfo("final-2.txt", "某区数据管理办法", "某区数据管理办法\n2021年6月5日")
    # The final wins over a later-dated draft; of two finals the later date wins.
    validity = document_validity([draft, final, again])
    assert validity["draft.txt"].status == "superseded" and validity["draft.txt"].draft == "征求意见稿"
    assert validity["final.txt"].superseded_by == ("final-2.txt",)
    assert validity["final-2.txt"].status == "in_force" and set(validity["final-2.txt"].supersedes) == {
        "draft.txt",
        "final.txt",
    }
    assert validity["final-2.txt"].date == "2021-06-05"
    # Undated uploads of one title: the later upload wins.
    undated = document_validity([DocumentInfo("a.txt", "某办法", "x"), DocumentInfo("b.txt", "某办法", "y")])
    assert undated["a.txt"].superseded_by == ("b.txt",)
    # Alone, a draft is a draft: shown with its own marker.
    assert document_validity([draft])["draft.txt"].label == "征求意见稿"


def _clause(source: str, title: str, text: str) -> Clause:
    return Clause(
        id=text, source=source, title=title, path="", headings=(), text=text, start=0, end=1, kind=ClauseKind.TEXT
    )


def test_documents_from_clauses_fall_back_to_clause_texts() -> None:
    clauses = [
        _clause("a.txt", "某办法", "第一条 …"),
        _clause("b.txt", "某办法(修订)", "本办法自印发之日起施行,原《某办法》同时废止。"),
    ]

    def unreadable(source: str) -> str | None:
        raise DocumentError(f"{source} is gone")

    infos = documents_from_clauses(clauses, unreadable)
    assert [i.source for i in infos] == ["a.txt", "b.txt"]
    assert document_validity(infos)["a.txt"].superseded_by == ("b.txt",)


def test_documents_are_read_once_per_version() -> None:
    clauses = [_clause("a.txt", "某办法", "第一条 …"), _clause("b.txt", "某规定", "第一条 …")]
    reads: list[str] = []

    def text_of(source: str) -> str | None:
        reads.append(source)
        return f"{source} 全文"

    cache: dict[str, tuple[str, DocumentInfo]] = {}
    documents_from_clauses(clauses, text_of, cache)
    documents_from_clauses(clauses, text_of, cache)
    assert reads == ["a.txt", "b.txt"]
    changed = [clauses[0], _clause("b.txt", "某规定", "第一条 修订后")]
    infos = documents_from_clauses(changed, text_of, cache)
    assert reads == ["a.txt", "b.txt", "b.txt"] and [i.text for i in infos] == ["a.txt 全文", "b.txt 全文"]
    documents_from_clauses(clauses[:1], text_of, cache)
    assert set(cache) == {"a.txt"}  # a deleted document leaves the cache
