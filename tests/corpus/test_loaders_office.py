"""Legacy Word files (.doc, .wps, .rtf): made by LibreOffice in the test, read back through it."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from corpus.errors import ConversionTimeoutError, ConverterUnavailableError, CorruptDocumentError
from corpus.limits import ReadLimits
from corpus.loaders import load_bytes
from corpus.reader import read_bytes

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("关于推进政务服务一网通办的实施方案")
    document.add_paragraph("一、主要任务")
    document.add_paragraph("（一）推行企业开办全程网办。")
    document.add_paragraph("牵头单位：市市场监管局")
    document.add_paragraph("完成时限：2021年6月底前")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The same document as .doc and .rtf, written by LibreOffice."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path_factory.mktemp("office")
    (tmp / "plan.docx").write_bytes(_docx())
    out: dict[str, bytes] = {}
    for target in ("doc", "rtf"):
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
             "--convert-to", target, "--outdir", str(tmp), str(tmp / "plan.docx")],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        out[target] = (tmp / f"plan.{target}").read_bytes()
    return out


@needs_soffice
@pytest.mark.parametrize(("kind", "name"), [("doc", "方案.doc"), ("doc", "方案.wps"), ("rtf", "方案.rtf")])
def test_legacy_word_file_reads_like_the_docx_it_came_from(converted: dict[str, bytes], kind: str, name: str) -> None:
    # A Kingsoft WPS .wps is a Word binary file under its own suffix: read by its content.
    loaded = load_bytes(converted[kind], name)
    assert loaded.format == name.rsplit(".", 1)[1]
    assert loaded.text == load_bytes(_docx(), "方案.docx").text


@needs_soffice
def test_doc_parses_into_a_task_with_unit_and_deadline(converted: dict[str, bytes]) -> None:
    document = read_bytes(converted["doc"], "方案.doc")
    task = next(c for c in document.clauses if "全程网办" in c.text)
    assert task.lead_units == ("市市场监管局",)
    assert task.deadline is not None and task.deadline.date == "2021-06-30"


def test_docx_saved_under_a_doc_name_is_read_without_conversion() -> None:
    assert load_bytes(_docx(), "方案.doc").text.startswith("关于推进政务服务一网通办的实施方案")


@pytest.mark.parametrize("name", ["x.doc", "x.wps", "x.rtf"])
def test_bytes_that_are_no_word_file_are_refused_before_conversion(name: str) -> None:
    with pytest.raises(CorruptDocumentError, match=r"x\.\w+ is not a Word, WPS or RTF file"):
        load_bytes("一、总体要求".encode(), name)


def test_missing_libreoffice_names_the_debian_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no soffice to find
    with pytest.raises(ConverterUnavailableError, match=r"apt-get install libreoffice-writer-nogui"):
        load_bytes(b"{\\rtf1\\ansi hello}", "x.rtf")


@needs_soffice
def test_conversion_time_limit_is_a_named_refusal_and_leaves_no_process(converted: dict[str, bytes]) -> None:
    with pytest.raises(ConversionTimeoutError, match=r"convert_seconds=0\.05") as err:
        load_bytes(converted["doc"], "slow.doc", ReadLimits(convert_seconds=0.05))
    assert err.value.bound == "convert_seconds"
    left = subprocess.run(["pgrep", "-f", "policyqa-convert-"], capture_output=True, text=True).stdout.split()
    assert left == []  # the whole process group was killed
