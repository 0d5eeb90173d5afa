"""One test per document pattern, on tiny inline snippets shaped like the bundled corpus."""

from __future__ import annotations

from corpus.model import ClauseKind, DeadlineKind, FieldSource
from corpus.parser import ParseReport, parse_text


def _by_prefix(text: str, source: str = "t.txt"):  # type: ignore[no-untyped-def]
    doc = parse_text(text, source)
    return doc, {c.text[:6]: c for c in doc.clauses}


def test_label_line_after_item_000() -> None:
    doc, c = _by_prefix(
        "二、主要经验和做法\n"
        "1、“退更免”业务全程电子化。实现从出口退税拓展到退库。\n"
        "牵头单位：人民银行咸宁分行  责任单位：市税务局、市财政局\n"
        "2、一站式综合法律服务平台。成立公共法律服务中心。\n"
        "牵头单位：市司法局\n"
    )
    first = c["“退更免”业"]
    assert first.path == "二、 1."
    assert first.lead_units == ("人民银行咸宁分行",)
    assert first.units == ("市税务局", "市财政局")
    assert first.lead_source == FieldSource.OWN
    assert c["一站式综合法"].lead_units == ("市司法局",)
    assert c["一站式综合法"].units == ()
    # the label line belongs to the clause's span
    assert doc.text[first.start : first.end].endswith("市财政局")


def test_prose_unit_000() -> None:
    _, c = _by_prefix("7、 跨境电商进口商品通关集中审图。由于咸宁目前没有海关机构，此项措施由武汉海关实施。\n")
    clause = c["跨境电商进口"]
    assert clause.lead_units == ("武汉海关",)
    assert clause.lead_source == FieldSource.PROSE


def test_bracket_units_without_lead_rule_002() -> None:
    _, c = _by_prefix(
        "三、主要任务和措施\n"
        "全力打造国际陆海贸易新通道门户港\n"
        "1.强港航基础和公共设施建设。2025年达到800万标箱。"
        "〔责任单位:市发展改革委,钦州港片区管委,市商务局(口岸办),钦州港海关〕\n"
    )
    clause = c["强港航基础和"]
    assert clause.lead_units == ()  # no first-is-lead rule stated in this document
    assert clause.units == ("市发展改革委", "钦州港片区管委", "市商务局(口岸办)", "钦州港海关")
    assert clause.deadline is None  # "2025年达到800万标箱" is a target
    assert clause.headings == ("主要任务和措施", "全力打造国际陆海贸易新通道门户港")
    assert clause.text.endswith("800万标箱。")  # the label bracket is not part of the text


def test_section_labels_inherited_with_document_rule_003() -> None:
    _, c = _by_prefix(
        "四、主要任务和措施\n"
        "(一)开展优化营商环境改革举措先行先试。(排第一的为牵头单位,下同)\n"
        "(责任单位:市市场监管局、市发改委、市公安局 落实时间:2023年8月底前)\n"
        "1.落实举措。\n"
        "(1)申请企业开办“一网通办”系统试点。(牵头单位:市市场监管局\xa0\xa0责任单位:市行政审批局、市发改委)\n"
        "(2)提升海事服务便利化水平。(牵头单位:岳阳海事局)\n"
        "2.评估目标。\n"
        "对标世界银行营商环境高标准。\n"
        "(二)开展强化竞争政策实施试点。\n"
        "(责任单位:市市场监管局 落实时间:持续推进)\n"
    )
    section = c["开展优化营商"]
    assert section.lead_units == ("市市场监管局",)  # 排第一的为牵头单位
    assert section.units == ("市发改委", "市公安局")
    assert section.deadline is not None and section.deadline.date == "2023-08-31"
    item = c["申请企业开办"]
    assert item.path == "四、(一) 1.(1)"
    assert item.lead_units == ("市市场监管局",)
    assert item.units == ("市行政审批局", "市发改委")
    assert item.deadline is not None and item.deadline.text == "2023年8月底前"
    assert item.deadline_source == FieldSource.INHERITED
    own_lead_only = c["提升海事服务"]
    assert own_lead_only.lead_units == ("岳阳海事局",) and own_lead_only.units == ()
    target = c["对标世界银行"]
    assert target.lead_units == ("市市场监管局",) and target.lead_source == FieldSource.INHERITED
    assert c["落实举措。"].kind == ClauseKind.HEADING and not c["落实举措。"].is_task
    ongoing = c["开展强化竞争"]
    assert ongoing.deadline is not None and ongoing.deadline.kind == DeadlineKind.ONGOING


def test_measure_block_belongs_to_section_004() -> None:
    _, c = _by_prefix(
        "二、主要举措\n"
        "(三)打造通关套餐。\n主要措施:\n"
        "1.企业可根据需要使用全国通关一体化模式。\n"
        "2.研究优惠和便利措施。\n"
        "牵头单位:武汉海关\n参加单位:省发改委、省商务厅(口岸办)、相关企业。\n完成时限:2020年底。\n"
        "(四)建立提前申报容错机制。\n主要措施:\n对“提前申报”修改进口日期的不予处罚。\n"
        "牵头单位:武汉海关\n完成时限:持续实施,2020年底前组织联合检查。\n"
    )
    section = c["打造通关套餐"]
    assert section.lead_units == ("武汉海关",)
    assert section.units == ("省发改委", "省商务厅(口岸办)", "相关企业")
    assert section.deadline is not None and section.deadline.text == "2020年底"
    sub = c["研究优惠和便"]
    assert sub.lead_units == ("武汉海关",) and sub.lead_source == FieldSource.INHERITED
    assert sub.deadline is not None and sub.deadline.date == "2020-12-31"
    body = c["对“提前申报"]
    assert body.deadline is not None and body.deadline.kind == DeadlineKind.ONGOING
    assert body.deadline.date == "2020-12-31"


def test_inline_labels_and_prose_parenthetical_004() -> None:
    _, c = _by_prefix(
        "二、主要措施\n"
        "1.精简审批事项。进一步加大简政放权力度。"
        "(牵头单位:省政务办;责任单位:省直有关部门,各市、州、县人民政府;完成时间:2020年12月底前)\n"
        "2.构建完善的投资者保护制度体系。(省司法厅牵头,省发改委及各市、州、县人民政府按职责分工负责)\n"
    )
    first = c["精简审批事项"]
    assert first.lead_units == ("省政务办",)
    assert first.units == ("省直有关部门", "各市、州、县人民政府")
    assert first.deadline is not None and first.deadline.date == "2020-12-31"
    second = c["构建完善的投"]
    assert second.lead_units == ("省司法厅",)
    assert second.units == ("省发改委", "各市、州、县人民政府")


def test_bundled_plans_issuer_and_plan_deadline_004() -> None:
    doc, c = _by_prefix(
        "省优化营商环境领导小组关于印发重点任务清单和工作方案的通知\n"
        "请认真贯彻执行。\n湖北省优化营商环境领导小组\n2020年6月23日\n"
        "省能源局关于提升获得电力便利化水平的实施方案\n"
        "一、工作目标\n办电更省时。\n三、完成时限\n2020年11月底前。\n四、工作措施\n"
        "1.推进报装服务精简便捷。(牵头单位:省电力公司)\n"
        "2.加强监督闭环管控。\n"
        "省住建厅关于提高工程建设项目\n审批效能的工作方案\n"
        "二、主要举措\n(一)压缩审批时限。武汉市于6月20日前制定工作方案。\n"
        "三、保障措施\n(一)加强组织领导。\n"
    )
    assert doc.title.startswith("省优化营商环境领导小组关于印发")
    energy = c["推进报装服务"]
    assert energy.title == "省能源局关于提升获得电力便利化水平的实施方案"
    assert energy.lead_units == ("省电力公司",)
    assert energy.deadline is not None and energy.deadline.date == "2020-11-30"
    assert energy.deadline_source == FieldSource.PLAN
    plan_led = c["加强监督闭环"]
    assert plan_led.lead_units == ("省能源局",) and plan_led.lead_source == FieldSource.PLAN
    assert c["办电更省时。"].lead_units == ()  # goals are not measures
    housing = c["压缩审批时限"]
    assert housing.title == "省住建厅关于提高工程建设项目审批效能的工作方案"  # two-line title
    assert housing.path == "二、(一)"  # numbering restarts in each bundled plan
    assert housing.lead_units == ("省住建厅",)
    assert housing.deadline is not None and housing.deadline.date == "2020-06-20"  # year of the document
    assert c["加强组织领导"].lead_units == ()  # safeguards are not measures


def test_back_to_back_issuers_split_by_known_units() -> None:
    _, c = _by_prefix(
        "省商务厅武汉海关关于促进跨境贸易便利化的实施方案\n"
        "二、主要举措\n(一)开展口岸营商环境评估。\n牵头单位:省商务厅\n"
        "(二)做好口岸收费公示。\n参加单位:武汉海关\n"
    )
    assert c["做好口岸收费"].lead_units == ("省商务厅", "武汉海关")


def test_theme_headings_and_nested_restart() -> None:
    _, c = _by_prefix(
        "1、 指导思想\n正文一段。\n2、 主要经验和做法\n"
        "1、第一项措施。\n2、第二项措施。\n三、下一步工作思路\n认真总结。\n"
    )
    assert c["第一项措施。"].path == "2. 1."
    assert c["第二项措施。"].path == "2. 2."
    assert c["认真总结。"].path == "三、"


def test_chrome_lines_reported_not_dropped_silently() -> None:
    report = ParseReport()
    doc = parse_text("当前位置: 首页 > 政务公开 > 通知公告\n正文。\n打印本页\n", "web.txt", report)
    assert [c.text for c in doc.clauses] == ["正文。"]
    assert [line for _, line in report.skipped] == ["当前位置: 首页 > 政务公开 > 通知公告", "打印本页"]


def test_every_line_is_placed() -> None:
    text = "一、总则\n甲。\n\n（一）乙\n丙丁戊。\n牵头单位：市司法局\n"
    doc = parse_text(text, "x.txt")
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():  # the line's text (after its number marker) lies in some clause's span
            assert any(c.start < end and c.end > pos for c in doc.clauses), f"line {line!r} is lost"
        pos = end + 1


def test_spans_point_at_clause_text() -> None:
    doc = parse_text("一、总体要求\n  (一)加强执行工作机制改革。(牵头单位:省法院)\n", "s.txt")
    for clause in doc.clauses:
        assert doc.text[clause.start : clause.start + len(clause.text)] == clause.text


def test_colon_headers_naming_who_does_it_head_what_follows() -> None:
    # 「名称:(X负责…)」 alone on a line heads the items or paragraphs under it, up to the next such
    # line or a higher heading; without it the items had no unit and (2) became a heading.
    doc = parse_text(
        "二、系统对接\n"
        "1.区级对接内容\n"
        "区级受理系统:(区数据局负责建设)\n"
        "(1)受理系统完成接口开发,注册到分发系统。\n"
        "(2)受理系统完成与国家平台对接。\n"
        "部门自建系统:(各区直部门负责对接)\n"
        "完成本单位系统与受理系统对接调试。\n"
        "附件材料:(略)\n"
        "2.街道对接内容\n"
        "街道完成本级系统改造。\n",
        "t.txt",
    )

    def clause(prefix: str):  # type: ignore[no-untyped-def]
        return next(c for c in doc.clauses if c.text.startswith(prefix))

    first, second = clause("受理系统完成接口"), clause("受理系统完成与")
    assert first.lead_units == second.lead_units == ("区数据局",)
    assert second.kind == ClauseKind.ITEM and second.path == "二、 1.(2)"
    assert clause("区级受理系统").kind == ClauseKind.HEADING
    assert clause("完成本单位系统").lead_units == ("各区直部门",)
    assert clause("完成本单位系统").headings[-1] == "部门自建系统:"
    assert clause("附件材料").kind == ClauseKind.TEXT  # a bracket naming no unit heads nothing
    assert clause("街道完成本级").lead_units == () and clause("街道完成本级").headings[-1] == "街道对接内容"
