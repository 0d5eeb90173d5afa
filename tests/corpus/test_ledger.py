"""The task ledger on the bundled corpus, through the library and the `policyqa tasks` command."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import InvalidQueryError
from corpus.export import to_csv_bytes, write_xlsx
from corpus.ledger import TaskFilter, filter_tasks, task_record
from corpus.model import DeadlineKind, Document
from corpus.reader import read_corpus
from service.cli import main

SOURCE_003 = "003_f31d9fd870de6b80.txt"


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    result = read_corpus([BUNDLED_CORPUS_DIR])
    assert result.failures == []
    return result.documents


def test_bundled_corpus_reads_all_five(documents: list[Document]) -> None:
    assert sorted(d.source for d in documents) == sorted(p.name for p in BUNDLED_CORPUS_DIR.glob("*.txt"))
    assert all(d.tasks for d in documents if not d.source.startswith("001"))


def test_acceptance_003_market_regulator_with_inherited_deadline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tasks", "--source", SOURCE_003, "--unit", "市市场监管局", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records, "the market regulator has tasks in 003"
    one_net = next(r for r in records if r["text"].startswith("向省市场监管局申请湖南省企业开办"))
    assert one_net["lead_units"] == ["市市场监管局"]
    assert one_net["deadline"] == "2023年8月底前" and one_net["deadline_date"] == "2023-08-31"
    assert one_net["deadline_source"] == "inherited"
    assert one_net["path"] == "四、(一) 1.(1)"
    for rec in records:
        assert rec["source"] == SOURCE_003
        assert "市市场监管局" in rec["lead_units"] + rec["units"]
        # every 003 measure has a 落实时间 of its own section
        assert rec["deadline"] is not None, rec["text"][:20]
    assert not any(r["text"] in ("落实举措。", "评估目标。") for r in records)  # structure, not tasks


def test_filters(documents: list[Document]) -> None:
    lead = filter_tasks(documents, TaskFilter(unit="市场监管局", lead_only=True, source=SOURCE_003))
    assert lead and all(any("市场监管局" in u for u in c.lead_units) for c in lead)
    ongoing = filter_tasks(documents, TaskFilter(ongoing=True))
    assert ongoing and all(c.deadline and c.deadline.kind == DeadlineKind.ONGOING for c in ongoing)
    early = filter_tasks(documents, TaskFilter(due_before="2020-07-01"))
    assert early and all(c.deadline and c.deadline.date and c.deadline.date <= "2020-07-01" for c in early)
    late = filter_tasks(documents, TaskFilter(due_after="2023-01-01"))
    assert {c.source for c in late} == {SOURCE_003}


def test_bad_filter_values_name_the_problem() -> None:
    with pytest.raises(InvalidQueryError, match="due_before must be an ISO date"):
        TaskFilter(due_before="2020年底")
    with pytest.raises(InvalidQueryError, match="lead_only needs a unit"):
        TaskFilter(lead_only=True)


@pytest.mark.parametrize("value", ["20230831", "2023-W35-4", "2023-02-30", "2023-8-31", "２０２３-０８-３１"])
def test_dates_must_be_written_yyyy_mm_dd(value: str) -> None:
    # Deadlines are compared as YYYY-MM-DD strings: "20230831" (which date.fromisoformat takes)
    # would sort after every 2023-… deadline.
    with pytest.raises(InvalidQueryError, match="YYYY-MM-DD"):
        TaskFilter(due_after=value)


def test_unknown_source_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "--source", "nope.txt"]) == 2
    assert "no document named 'nope.txt'" in capsys.readouterr().err


def test_csv_and_xlsx_exports(documents: list[Document], tmp_path) -> None:  # type: ignore[no-untyped-def]
    records = [task_record(c) for c in filter_tasks(documents, TaskFilter(source=SOURCE_003))][:20]
    rows = list(csv.reader(io.StringIO(to_csv_bytes(records).decode("utf-8-sig"))))
    assert rows[0][:5] == ["文件", "文件标题", "条款编号", "条款内容", "牵头单位"]
    assert len(rows) == len(records) + 1
    out = tmp_path / "ledger.xlsx"
    write_xlsx(records, out)
    ws = load_workbook(out)["任务台账"]
    assert ws.freeze_panes == "A2"
    assert ws.cell(row=2, column=1).value == SOURCE_003
    assert ws.column_dimensions["D"].width >= 40  # the clause text column is wide


def test_cli_table_and_files(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["tasks", "--unit", "武汉海关", "--lead-only"]) == 0
    out = capsys.readouterr().out
    assert "武汉海关" in out and "共" in out
    csv_path, xlsx_path = tmp_path / "t.csv", tmp_path / "t.xlsx"
    assert main(["tasks", "--ongoing", "--csv", str(csv_path), "--xlsx", str(xlsx_path)]) == 0
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf") and xlsx_path.stat().st_size > 0
