"""Unit lists, label blocks, prose units and alias matching."""

from __future__ import annotations

import pytest

from corpus.aliases import canonical_unit, same_unit
from corpus.units import parse_label_block, parse_prose_units, split_units


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("市税务局、市财政局", ["市税务局", "市财政局"]),
        ("市发展改革委,钦州港片区管委,市商务局(口岸办)", ["市发展改革委", "钦州港片区管委", "市商务局(口岸办)"]),
        ("各市、州、县人民政府", ["各市、州、县人民政府"]),
        ("省政务办,各市、州、直管市、神农架林区人民政府", ["省政务办", "各市、州、直管市、神农架林区人民政府"]),
        ("市财政局(金融办)、市委组织部<市委人才办>", ["市财政局(金融办)", "市委组织部<市委人才办>"]),
        ("市发改委、市商务局、市投资促进局等", ["市发改委", "市商务局", "市投资促进局"]),
        ("市卫健委等涉企行政许可单位", ["市卫健委等涉企行政许可单位"]),
        ("市、县自然资源和规划部门、水利部门", ["市、县自然资源和规划部门", "水利部门"]),
        ("省政务办负责信息共享,省住建厅", ["省政务办", "省住建厅"]),
        ("省文化和旅游厅", ["省文化和旅游厅"]),
    ],
)
def test_split_units(value: str, expected: list[str]) -> None:
    assert split_units(value) == expected


def test_label_block_with_spaces_semicolons_and_deadline() -> None:
    fields = parse_label_block("牵头单位:市市场监管局\xa0\xa0责任单位:市行政审批局、市政务服务中心")
    assert fields.lead == ["市市场监管局"]
    assert fields.units == ["市行政审批局", "市政务服务中心"]
    fields = parse_label_block("责任单位:省政务办、省标质院,配合单位:省直各部门、各市州政数局/审批局")
    assert fields.units == ["省政务办", "省标质院", "省直各部门", "各市州政数局/审批局"]
    fields = parse_label_block("牵头单位：省商务厅（口岸办）；完成时限：2020年12月底前。")
    assert fields.lead == ["省商务厅（口岸办）"] and fields.deadline == "2020年12月底前"


@pytest.mark.parametrize(
    ("text", "lead", "units"),
    [
        ("省公安厅牵头,省市场监管局配合", ["省公安厅"], ["省市场监管局"]),
        (
            "省司法厅牵头,省直有关部门,各市、州、县人民政府按职责分工负责",
            ["省司法厅"],
            ["省直有关部门", "各市、州、县人民政府"],
        ),
        ("人民银行武汉分行、省财政厅牵头,省直相关部门分工负责。", ["人民银行武汉分行", "省财政厅"], ["省直相关部门"]),
        ("省市场监管局牵头,省人社厅、武汉海关等部门负责", ["省市场监管局"], ["省人社厅", "武汉海关"]),
        ("上海国际贸易“单一窗口”由上海市口岸办牵头,参与建设部门包括海关", ["上海市口岸办"], []),
        ("由于咸宁目前没有海关机构,此项措施由武汉海关实施。", ["武汉海关"], []),
        ("采取“省级统筹、市州试点,省厅牵头、部门配合”模式", [], []),
        ("二是牵头发起一次部门联合抽查任务", [], []),
        ("各分管厅领导负责牵头推进分管领域工作", [], []),
    ],
)
def test_prose_units(text: str, lead: list[str], units: list[str]) -> None:
    fields = parse_prose_units(text)
    assert (fields.lead, fields.units) == (lead, units)


def test_aliases() -> None:
    assert canonical_unit("市发展改革委") == canonical_unit("市发改委") == canonical_unit("市发展和改革委员会")
    assert same_unit("市场监管局", "市市场监管局")
    assert same_unit("市市场监管局", "市场监管局")
    assert same_unit("市场监督管理局", "省市场监管局")
    assert same_unit("商务厅", "省商务厅(口岸办)")
    assert not same_unit("市税务局", "省税务局")
    assert not same_unit("市政府", "市市场监管局")
