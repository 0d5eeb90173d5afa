"""`policyqa tasks DIR` and `policyqa index DIR` name every file they do not read, and fail on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.cli import main

PLAN = "一、主要任务\n（一）推行企业开办全程网办。\n牵头单位：市市场监管局\n完成时限：2021年6月底前\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with one good plan, one unsupported file, one garbled text file and a hidden file."""
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "notes.md").write_text("# 备注", encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    return tmp_path


def test_tasks_names_each_unread_file_and_exits_non_zero(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"error: {folder / 'broken.docx'}: broken.docx is not a DOCX file (not a ZIP archive)" in err
    assert f"error: {folder / 'notes.md'}: file type '.md' is not supported; use one of .txt, .docx" in err
    assert ".DS_Store" not in err
    assert "2 file(s) could not be read" in err and "--skip-unreadable" in err


def test_tasks_with_skip_unreadable_lists_the_rest_and_still_names_them(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", str(folder), "--skip-unreadable", "--json"]) == 0
    captured = capsys.readouterr()
    assert "市市场监管局" in captured.out
    assert f"skipped: {folder / 'notes.md'}" in captured.err and f"skipped: {folder / 'broken.docx'}" in captured.err


def test_index_refuses_a_folder_with_unreadable_files_before_embedding(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    assert main(["index", str(folder), "--index-dir", str(index_dir), "--quiet"]) == 1
    assert "broken.docx" in capsys.readouterr().err
    assert not index_dir.exists()


def test_index_with_skip_unreadable_builds_from_the_readable_files(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    assert main(["index", str(folder), "--index-dir", str(index_dir), "--quiet", "--skip-unreadable"]) == 0
    captured = capsys.readouterr()
    assert "from 1 documents" in captured.out and "skipped:" in captured.err
    assert (index_dir / "manifest.json").is_file()


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_ocrd_pages_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.corpus.test_loaders_ocr import LINES, _scan

    _scan(LINES).convert("1").save(tmp_path / "scan.pdf", "PDF", resolution=200)
    assert main(["tasks", str(tmp_path), "--json"]) == 0
    assert "note: scan.pdf: page 1 read by OCR (Tesseract chi_sim)" in capsys.readouterr().err
