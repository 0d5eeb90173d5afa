"""Small pure helpers of the service: reply text, file names, error details, download names, CLI."""

from __future__ import annotations

from typing import Any

import pytest

from qa.records import AnswerRecord, IntentRecord, ResultRecord
from service.cli import main
from service.errors import bilingual, validation_detail
from service.files import safe_name
from service.replies import citation_line, excerpt, reply_text
from service.routes.tasks import attachment


def _result(path: str = "二、(三)", **fields: Any) -> ResultRecord:
    """A cited clause's record, as the answerer's output would carry it (``fields`` override)."""
    return ResultRecord.model_validate(
        {"title": "某市实施方案", "path": path, "text": "推进  企业开办\n一网通办。", "source": "a.txt",
         "headings": [], "lead_units": [], "units": [], "deadline": None, "deadline_date": None,
         "deadline_kind": None, "status": "no_deadline", "status_label": "无明确时限", "lead_source": None,
         "units_source": None, "deadline_source": None, "start": 0, "end": 13, "id": "x", "score": 1.0,
         "similarity": None, "highlights": [], "deadline_inherited": False, "document_validity": None,
         "document_validity_label": None, "body": [], "unit_ids": ["x"], **fields}
    )  # fmt: skip


def _answer(answer: str, results: list[ResultRecord]) -> AnswerRecord:
    intent = IntentRecord(
        kind="who", units=[], lead_only=False, sources=[], due_before=None, due_after=None, ongoing=False, statuses=[]
    )
    return AnswerRecord(
        question="谁牵头？", answer=answer, no_answer=not results, intent=intent, as_of=None, results=results
    )


def test_excerpt_flattens_and_cuts() -> None:
    assert excerpt("一 二\n三") == "一 二 三"
    assert excerpt("政" * 100, limit=10) == "政" * 9 + "…"


def test_citation_line() -> None:
    assert citation_line(2, _result()) == "[2] 《某市实施方案》 二、(三)：推进 企业开办 一网通办。（a.txt）"
    assert citation_line(1, _result(path="")).startswith("[1] 《某市实施方案》：")


def test_reply_text() -> None:
    text = reply_text(_answer("由市商务局牵头。", [_result()] * 7), max_citations=3)
    answer, citations = text.split("\n\n")
    assert answer == "由市商务局牵头。"
    lines = citations.splitlines()
    assert [line[:3] for line in lines[:3]] == ["[1]", "[2]", "[3]"]
    assert lines[3] == "……另有 4 条，完整清单见任务台账（/api/tasks）。"
    assert reply_text(_answer("未找到相关条款", [])) == "未找到相关条款"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("方案.docx", "方案.docx"),
        ("C:\\docs\\方案 (1).docx", "方案 (1).docx"),
        ("/tmp/x/a.txt", "a.txt"),
        ("  b.pdf ", "b.pdf"),
    ],
)
def test_safe_name_keeps_the_last_part(raw: str, name: str) -> None:
    assert safe_name(raw) == name


@pytest.mark.parametrize("raw", ["", "   ", ".env", "../", "a\x00.txt", "a<b>.txt", 'a".txt', "a|b.txt", "x" * 300])
def test_safe_name_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        safe_name(raw)


def test_validation_detail_is_bilingual() -> None:
    errors = [
        {"type": "missing", "loc": ("body", "question"), "msg": "Field required"},
        {
            "type": "value_error",
            "loc": ("body", "question"),
            "msg": "Value error, 问题不能为空 / question must not be empty",
        },
        {"type": "json_invalid", "loc": ("body", 3), "msg": "JSON decode error"},
        {"type": "something_new", "loc": ("query", "x"), "msg": "odd"},
    ]
    assert validation_detail(errors).split("; ") == [
        bilingual("question：缺少必填字段", "question: Field required"),
        "问题不能为空 / question must not be empty",
        bilingual("请求体不是有效的 JSON", "request body is not valid JSON (JSON decode error)"),
        bilingual("query.x：请求参数无效", "query.x: odd"),
    ]


def test_attachment_keeps_the_chinese_name() -> None:
    value = attachment("任务台账.xlsx", "tasks.xlsx")
    assert value == ("attachment; filename=\"tasks.xlsx\"; filename*=UTF-8''%E4%BB%BB%E5%8A%A1%E5%8F%B0%E8%B4%A6.xlsx")


def test_serve_command_runs_uvicorn_with_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    (call,) = calls
    assert call["host"] == "0.0.0.0" and call["port"] == 8123
    assert call["app"].title.startswith("policy-qa")


def test_serve_refuses_unsafe_production_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.settings import get_settings

    monkeypatch.setenv("POLICYQA_ENVIRONMENT", "production")
    monkeypatch.delenv("POLICYQA_ADMIN_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["serve"]) == 2
    finally:
        get_settings.cache_clear()
    assert "refusing to start in production" in capsys.readouterr().err


def test_citation_line_flags_status_and_validity() -> None:
    flagged = _result(
        status="overdue", status_label="已逾期", document_validity="draft", document_validity_label="征求意见稿"
    )
    assert citation_line(1, flagged).endswith("（a.txt）「已逾期」【征求意见稿】")
    quiet = _result(status="later", status_label="未到期", document_validity="in_force")
    assert citation_line(1, quiet).endswith("（a.txt）")
