"""``policyqa add``: against a running server (progress, report, refusals, exit code) and on a local index."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from index.hybrid import HybridIndex
from service.cli import main
from service.cli_add import render_report
from tests.service.helpers import ADMIN_TOKEN

PLAN = (
    "临湘市数字乡村建设方案\n一、重点任务\n"
    "(一)建设乡村数字服务站。(牵头单位:市农业农村局 完成时限:2026年6月底前)\n"
    "(二)培训乡村数字专员。(责任单位:市人社局)\n"
)


def test_add_to_a_running_server(live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "数字乡村方案.txt"
    good.write_text(PLAN, encoding="utf-8")
    bad = tmp_path / "幻灯片.pptx"
    bad.write_bytes(b"PK\x03\x04")
    missing = tmp_path / "不存在.txt"
    try:
        code = main(["add", str(good), str(bad), str(missing), "--url", live_server, "--token", ADMIN_TOKEN])
        out = capsys.readouterr()
        assert code == 1, out
        assert "数字乡村方案.txt  [████████████████████] 3/3 条  已完成" in out.out
        assert "《临湘市数字乡村建设方案》3 条款 · 2 项任务" in out.out
        assert "幻灯片.pptx  未接受 — 不支持的文件类型 .pptx" in out.out
        assert "不存在.txt  无法读取" in out.out
        assert "2 of 3 file(s) were not added" in out.err
        sources = [d["source"] for d in httpx.get(f"{live_server}/api/documents").json()["documents"]]
        assert good.name in sources
    finally:
        httpx.delete(f"{live_server}/api/documents/{good.name}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})


def test_add_with_a_wrong_token_fails(live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "数字乡村方案.txt"
    good.write_text(PLAN, encoding="utf-8")
    assert main(["add", str(good), "--url", live_server, "--token", "wrong"]) == 1
    assert "管理员令牌无效" in capsys.readouterr().out


def test_add_to_a_local_index(
    built_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(built_index, index_dir)
    monkeypatch.setenv("POLICYQA_UPLOAD_DIR", str(tmp_path / "uploads"))
    good = tmp_path / "数字乡村方案.txt"
    good.write_text(PLAN, encoding="utf-8")
    assert main(["add", str(good), "--index", str(index_dir)]) == 0, capsys.readouterr()
    assert "已完成" in capsys.readouterr().out
    index = HybridIndex.load(index_dir)
    assert sum(1 for c in index.clauses if c.source == good.name) == 3
    assert (tmp_path / "uploads" / good.name).read_text(encoding="utf-8") == PLAN


def test_report_is_rendered_generically() -> None:
    report = {
        "source": "a.txt",
        "title": "某方案",
        "doc_year": 2024,
        "clauses": 3,
        "tasks": 2,
        "without_lead": [{"path": "一、(二)", "text": "开通无人机物流配送航线。"}],
        "flags": [{"clause": {"path": "一、(一)", "text": "建设站点"}, "field": "units", "value": "2024年底前",
                   "problem": "unit_holds_date"}],
        "needs_review": True,
        "new_field": "x",
    }  # fmt: skip
    lines = render_report(report)
    assert (
        lines[0]
        == "  年份：2024 · 条款：3 · 任务：2 · 无牵头单位的任务：1 · 待核对的值：1 · 需要人工核对：是 · new_field：x"
    )
    assert "    - 无牵头单位的任务：一、(二) · 开通无人机物流配送航线。" in lines
    assert "    - 待核对的值：一、(一) · 建设站点 · 责任单位 · 2024年底前 · 单位中含日期" in lines
