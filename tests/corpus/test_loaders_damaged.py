"""Damaged spreadsheets and OFD files load or raise a DocumentError, never anything else."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import DocumentError
from corpus.loaders import load_bytes
from tests.corpus.test_loaders_ofd import _ofd, _page


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "重点任务", "牵头单位", "完成时限"])
    sheet.append([1, "推行全程网办", "市市场监管局", "2021年6月底前"])
    sheet.merge_cells("C2:D2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xls(xlsx: bytes) -> bytes | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a.xlsx").write_bytes(xlsx)
        profile = (Path(tmp) / "profile").as_uri()
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xls", "--outdir", tmp,
             str(Path(tmp) / "a.xlsx")],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return (Path(tmp) / "a.xls").read_bytes()


VALID = {".xlsx": _xlsx(), ".ofd": _ofd([_page([(40, [(25, "一、总体要求")]), (50, [(25, "牵头单位：市商务局")])])])}
XLS = _xls(VALID[".xlsx"])
if XLS is not None:
    VALID[".xls"] = XLS


@pytest.mark.parametrize("suffix", sorted(VALID))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=8)), max_size=4))
def test_damaged_files_load_or_raise_a_document_error(suffix: str, edits: list[tuple[float, bytes]]) -> None:
    data = bytearray(VALID[suffix])
    for where, junk in edits:
        at = int(where * len(data))
        data[at : at + len(junk)] = junk
    try:
        loaded = load_bytes(bytes(data), "fuzz" + suffix)
    except DocumentError:
        return
    assert loaded.text.strip()
