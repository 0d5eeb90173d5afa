"""read_meta: title, issuer, 文号 and date from a document's own text."""

from __future__ import annotations

import pytest

from corpus import BUNDLED_CORPUS_DIR
from corpus.loaders import load_path
from corpus.meta import DocMeta, read_meta

BUNDLED_META = {
    # a three-line title block; the 文号 is the one cited in the preamble; no date or signature
    "000_bf79a9341e2790cb.txt": DocMeta(
        title="咸宁市复制推广中国（湖北）自由贸易试验区第二批改革试点经验工作方案",
        issuer=None,
        doc_number="鄂政发〔2018〕50号",
        date=None,
    ),
    # a numbered chapter of a book: its heading is the title
    "001_e9e5f24b82727624.txt": DocMeta(
        title="2.4 自贸试验区12个最佳实践案例", issuer=None, doc_number=None, date=None
    ),
    # a news report opening with a sentence: no title line
    "002_b4330a222284050e.txt": DocMeta(title="", issuer=None, doc_number="国发〔2019〕16号", date=None),
    # a web page: crumbs skipped, date and source from "编稿时间: … 来源: …"
    "003_f31d9fd870de6b80.txt": DocMeta(
        title="中国(湖南)自由贸易试验区岳阳片区实施方案(征求意见稿)",
        issuer="岳阳市商务粮食局",
        doc_number="国发〔2020〕10号",
        date="2021-01-19",
    ),
    # a notice signed by its issuer above the date
    "004_e4086131eff9af3a.txt": DocMeta(
        title="省优化营商环境领导小组关于印发 2020年全省优化营商环境重点任务清单和工作方案的通知",
        issuer="湖北省优化营商环境领导小组",
        doc_number="鄂发〔2020〕6号",
        date="2020-06-23",
    ),
}


@pytest.mark.parametrize("name", sorted(BUNDLED_META))
def test_bundled_documents(name: str) -> None:
    assert read_meta(load_path(BUNDLED_CORPUS_DIR / name).text) == BUNDLED_META[name]


def test_every_bundled_document_is_covered() -> None:
    assert sorted(p.name for p in BUNDLED_CORPUS_DIR.glob("*.txt")) == sorted(BUNDLED_META)


def test_official_document_layout() -> None:
    text = (
        "附件1\n"
        "湖北省人民政府文件\n"
        "鄂政发[2019]7号\n"
        "\n"
        "省人民政府关于印发\n"
        "优化营商环境实施方案的通知\n"
        "一、总体要求\n"
        "为贯彻落实，制定本方案。\n"
        "湖北省人民政府\n"
        "二〇一九年三月十二日\n"
    )
    assert read_meta(text) == DocMeta(
        title="省人民政府关于印发优化营商环境实施方案的通知",
        issuer="湖北省人民政府",
        doc_number="鄂政发[2019]7号",
        date="2019-03-12",
    )


@pytest.mark.parametrize(
    ("snippet", "number"),
    [
        ("依据《通知》（国办发【2020】 24号）", "国办发【2020】24号"),
        # a number left blank ("湘政发〔2020〕 号") is no 文号
        ("见湘政发〔2020〕 号文件和湘财金〔2019〕36号", "湘财金〔2019〕36号"),
        ("依据鄂政办发(2021)3号", "鄂政办发(2021)3号"),
        ("2020年共完成36号项目", None),
    ],
)
def test_doc_number_forms(snippet: str, number: str | None) -> None:
    assert read_meta("标题\n" + snippet).doc_number == number


def test_signature_date_needs_its_own_line_and_a_real_date() -> None:
    assert read_meta("标题\n2020年6月23日前完成评估。").date is None
    assert read_meta("标题\n2020年2月30日").date is None
    assert read_meta("标题\n 2020年12月1日 ").date == "2020-12-01"


def test_date_line_without_an_organisation_above_gives_no_issuer() -> None:
    meta = read_meta("标题\n各单位要认真落实\n2020年6月23日")
    assert (meta.issuer, meta.date) == (None, "2020-06-23")


def test_title_stops_at_a_heading_and_at_three_lines() -> None:
    assert read_meta("关于推进改革的\n实施意见\n一、总体要求\n正文。").title == "关于推进改革的实施意见"
    assert read_meta("甲\n乙\n丙\n丁").title == "甲乙丙"
    assert read_meta("当前位置：首页 > 通知\n\n通知标题").title == "通知标题"
