"""Deadline normalisation and prose deadlines."""

from __future__ import annotations

import pytest

from corpus.deadlines import find_prose_deadline, normalize_deadline
from corpus.model import DeadlineKind


@pytest.mark.parametrize(
    ("text", "date", "kind"),
    [
        ("2020年底前", "2020-12-31", DeadlineKind.BY_DATE),
        ("2020年底", "2020-12-31", DeadlineKind.BY_DATE),
        ("2023年8月底前", "2023-08-31", DeadlineKind.BY_DATE),
        ("2020年2月底前", "2020-02-29", DeadlineKind.BY_DATE),
        ("2020年6月30日前", "2020-06-30", DeadlineKind.BY_DATE),
        ("2020年6月", "2020-06-30", DeadlineKind.BY_DATE),
        ("6月20日前", "2020-06-20", DeadlineKind.BY_DATE),
        ("持续推进", None, DeadlineKind.ONGOING),
        ("持续实施,2020年底前组织联合检查,遇有企业投诉随即开展专项检查", "2020-12-31", DeadlineKind.ONGOING),
        ("2020年底,“楚贸通”平台二期功能建成", "2020-12-31", DeadlineKind.BY_DATE),
        ("每季度", None, DeadlineKind.RECURRING),
        ("自2020年8月1日开始", "2020-08-01", DeadlineKind.FROM_DATE),
        ("2020年6月-11月", "2020-11-30", DeadlineKind.BY_DATE),
        ("2020年3月31日至12月31日", "2020-12-31", DeadlineKind.BY_DATE),
        ("适时", None, DeadlineKind.UNKNOWN),
    ],
)
def test_normalize(text: str, date: str | None, kind: DeadlineKind) -> None:
    deadline = normalize_deadline(text, doc_year=2020)
    assert (deadline.text, deadline.date, deadline.kind) == (text, date, kind)


def test_month_without_year_and_without_document_year() -> None:
    assert normalize_deadline("6月20日前", doc_year=None).date is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("武汉市、襄阳市、宜昌市于6月20日前制定工作方案", "6月20日前"),
        ("年底前上线全省企业登记档案服务平台", "年底前"),
        ("2020年9月底前,实现全流程线上办理", "2020年9月底前"),
        ("自2020年8月1日开始,在全省推行", "自2020年8月1日开始"),
        ("2025年达到800万标箱", None),
        ("到2020年12月,进口整体通关时间压缩", None),
        ("彻底前移监管关口", None),
    ],
)
def test_prose_deadline(text: str, expected: str | None) -> None:
    found = find_prose_deadline(text, doc_year=2020)
    assert (found.text if found else None) == expected
