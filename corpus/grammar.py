"""The label grammar: every word that names a clause field, in one table, and what is built from it.

Policy documents name a measure's units and deadline with label words, in any bracket family or
none, inline or on lines of their own, in table headers too::

    (牵头单位:区数据局;责任单位:区财政局、区人社局,8月底完成)
    【牵头单位】区商务局【配合单位】区财政局【完成时限】2024年6月底前
    主责单位:县交通局    协同单位:县财政局    时间安排:2024年第三季度
    | 序号 | 重点任务 | 责任单位 | 协办单位 | 时间节点 |

Every layout goes through the tables here: a new label word, column header or page-chrome phrase is
one line in one table. The regexes below are built from the tables and run on folded text
(:func:`corpus.text.fold`: full-width brackets, colons and separators already ASCII).
"""

from __future__ import annotations

import re
from enum import StrEnum


class Role(StrEnum):
    """What a label word or a table column names."""

    LEAD = "lead"  # 牵头单位: the lead units
    RESPONSIBLE = "responsible"  # 责任单位: units; the lead when an assisting list stands beside them
    ASSIST = "assist"  # 配合单位, 协办单位: other units
    DEADLINE = "deadline"  # 完成时限
    PERSON = "person"  # 责任领导, 联系人: recognised, never a unit and never a clause
    TEXT = "text"  # a table column holding the measure's text
    NUMBER = "number"  # a table's 序号 column


#: Label words -> role. Used for inline labels, label lines and table headers alike.
LABELS: dict[str, Role] = {
    **dict.fromkeys(("牵头单位", "牵头部门", "主责单位", "主责部门", "主办单位", "牵头主体", "牵头"), Role.LEAD),
    **dict.fromkeys(
        ("责任单位", "责任部门", "负责单位", "承办单位", "实施单位", "主体单位", "责任主体", "实施主体"),
        Role.RESPONSIBLE,
    ),
    **dict.fromkeys(
        (
            "配合单位",
            "配合部门",
            "参加单位",
            "参与单位",
            "参与部门",
            "协办单位",
            "协办部门",
            "协同单位",
            "协同部门",
            "协助单位",
            "配合主体",
            "协同主体",
            "参与主体",
        ),
        Role.ASSIST,
    ),
    **dict.fromkeys(
        (
            "完成时限",
            "时限要求",
            "完成时限要求",
            "时间要求",
            "完成时间",
            "完成期限",
            "时间节点",
            "完成节点",
            "落实时间",
            "时限",
            "时间安排",
            "进度安排",
            "办结时限",
            "实施时间",
            "实施时限",
            "推进时间",
        ),
        Role.DEADLINE,
    ),
    **dict.fromkeys(("责任领导", "分管领导", "牵头领导", "责任人", "联系人", "联系电话", "责任处室"), Role.PERSON),
}

#: Table header words -> role, beyond the label words above (which are headers too).
COLUMNS: dict[str, Role] = {
    **LABELS,
    **dict.fromkeys(("序号", "编号"), Role.NUMBER),
    # short headers of a task table: 主办 | 协办 | 配合 | 参与 (a label word needs its 单位)
    **dict.fromkeys(("主办", "主责"), Role.LEAD),
    **dict.fromkeys(("协办", "配合", "参与", "协同"), Role.ASSIST),
    **dict.fromkeys(
        (
            "任务",
            "重点任务",
            "工作任务",
            "主要任务",
            "具体任务",
            "改革任务",
            "任务名称",
            "项目名称",
            "工作项目",
            "事项",
            "改革事项",
            "工作事项",
            "具体措施",
            "主要措施",
            "工作措施",
            "措施",
            "具体举措",
            "工作举措",
            "主要举措",
            "举措",
            "改革举措",
            "内容",
            "主要内容",
            "工作内容",
            "任务内容",
            "具体内容",
            "工作目标",
            "目标任务",
        ),
        Role.TEXT,
    ),
}

# Words that are labels only when something other than a Chinese character stands before them:
# "时限:" is a label, but "办理时限:3个工作日" is a service standard; "牵头:" vs "由X牵头".
_NEEDS_BOUNDARY = frozenset(("时限", "牵头"))
#: The bracket families a label block, a unit's note or a marker may be written in (folded text):
#: () （） 【】 〔〕 [] ［］ 〖〗 <>.
OPEN_BRACKETS, CLOSE_BRACKETS = "(【〔[〖<", ")】〕]〗>"


def _alternation(words: list[str]) -> str:
    """Longest first; a word may be written with spaces between its characters ("牵 头 单 位")."""
    return "|".join(r"[ \t]*".join(map(re.escape, w)) for w in sorted(words, key=len, reverse=True))


_FREE = _alternation([w for w in LABELS if w not in _NEEDS_BOUNDARY])
_BOUND = _alternation(sorted(_NEEDS_BOUNDARY))
#: One label in any of its written forms, on folded text; the word is in group ``word``:
#:   "牵头单位:"  "【牵头单位】"  "〔完成时限〕:"  "[责任单位]"  "牵头单位  " (a space after the word),
#:   and "责任单位;市政务服务中心" (OCR reads a full-width colon as a semicolon).
# "责任单位(牵头):", "责任单位(配合):": a role mark between the word and its colon decides the role.
_MARK = r"(?:\(\s*(?P<mark>牵头|主办|主责|配合|协办|参与)\s*\)\s*:\s*)"
LABEL_RE = re.compile(
    rf"[【〔\[〖]\s*(?P<bword>{_FREE}|{_BOUND})\s*[】〕\]〗]\s*:?\s*"
    rf"|(?P<word>{_FREE}|(?<![\u4e00-\u9fff])(?:{_BOUND}))"
    rf"(?:{_MARK}|\s*:\s*|;(?=\s*[\u4e00-\u9fff])|[ \t]+(?=\S))"
)
#: Only the colon and bracket forms: safe to look for in running text.
STRICT_LABEL_RE = re.compile(
    rf"[【〔\[〖]\s*(?P<bword>{_FREE}|{_BOUND})\s*[】〕\]〗]\s*:?\s*"
    rf"|(?P<word>{_FREE}|(?<![\u4e00-\u9fff])(?:{_BOUND}))(?:{_MARK}|\s*:\s*)"
)
#: Two labels sharing one value split by "/": "牵头单位/配合单位:市大数据局/市财政局、市委网信办".
LABEL_PAIR_RE = re.compile(rf"(?P<first>{_FREE})\s*/\s*(?P<second>{_FREE})\s*:\s*")
#: Something written like a label that the tables above do not know: "督办单位:", "【考核部门】".
UNKNOWN_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s;,。(【〔\[]))[【〔\[]?"
    r"(?P<word>(?:(?!各|有关|相关|直属)[\u4e00-\u9fff]){1,6}(?:单位|部门|时限|节点|领导|处室|责任人))"
    r"(?:[】〕\]]\s*:?|\s*:)"
)


def label_word(match: re.Match[str]) -> str:
    """The label word of a :data:`LABEL_RE` match, whichever form it was written in ("牵 头" -> "牵头")."""
    return re.sub(r"\s+", "", match.group("bword") or match.group("word"))


def unknown_labels(folded_line: str) -> list[tuple[int, str]]:
    """(offset, word) of everything written like a label that the tables do not know ("督办单位:")."""
    return [
        (m.start(), m.group("word"))
        for m in UNKNOWN_LABEL_RE.finditer(folded_line)
        if role_of(m.group("word")) is None and not STRICT_LABEL_RE.match(folded_line, m.start())
    ]


def label_role(match: re.Match[str]) -> Role | None:
    """The role a label match names: its word's, unless a mark says otherwise ("责任单位(牵头):")."""
    mark = match.groupdict().get("mark")
    if mark:
        return Role.LEAD if mark in ("牵头", "主办", "主责") else Role.ASSIST
    return role_of(label_word(match))


def role_of(word: str) -> Role | None:
    """The role of a label or column word, or None when the grammar does not know it."""
    return COLUMNS.get(word)


#: Closing and requirement paragraphs, issuer lines and attachment lists: never tasks, never
#: inheriting a section's fields. Each entry matches the start of a folded, unnumbered line.
# The document speaking about itself: "本方案自印发之日起施行", "本细则由省教育厅负责解释".
_ABOUT_ITSELF = (
    r"本(?:[\u4e00-\u9fff]{0,4}(?:方案|通知|办法|意见|细则|规定|计划|清单|措施|表|要点|台账))"
    r"[^。]{0,30}(?:施行|实施|执行|解释|负责|有效|废止|调度|督办)"
)
NOT_TASK_OPENINGS: tuple[str, ...] = (
    r"请(?:各|你们|相关|有关)",  # 请各单位认真抓好落实
    r"各(?:有关|相关|责任|牵头|成员)?(?:单位|部门|地区|街道|乡镇|县市区|区县)[^。]{0,12}(?:要|须|应|务必|请)",
    r"各[^。,，;；]{0,24}?(?:要|须|应当|务必)(?!求)",  # 各区、各部门要…; 各办、站、所及各村(社区)要…
    _ABOUT_ITSELF,
    r"(?:此前|以前|原)[^。]{0,30}(?:同时废止|停止执行|不再执行)",
    r"[^。]{0,20}与本(?:方案|办法|通知|意见|规定|细则)不一致的",  # "此前有关规定与本方案不一致的，以本方案为准"
    r"附件\s*\d*\s*[:.、]?",
    r"抄送\s*:",
    r"联系人(?:及(?:联系)?电话)?\s*:|联系电话\s*:",
    r"\(?此件(?:公开发布|主动公开|不予公开|依申请公开|删减后公开)\)?",
    r".{0,40}\(盖章\)$",  # a signature with its seal: "临江市人民政府办公室(盖章)"
    r"特此通知",
    r"注\s*\d*\s*:|备注\s*:",  # a table's note: "注：…"
    r".{0,30}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:印发|发布|印)$",  # "…办公室 2025年4月9日印发"
    r"印发日期\s*:",
    r"[^。,，;；]{2,30}(?:印发|印制)$",  # "临江市人民政府办公室秘书科印发"
    r"各[^。:]{0,60}(?:政府|单位|部门|机构|街道|乡镇|办事处)\s*:$",  # the addressees: "各镇(街道),区直有关单位:"
    r"(?:以上|上述)[^。]{0,10}(?:任务|措施)[^。]{0,20}(?:报送|落实|执行)",
)
NOT_TASK_RE = re.compile(r"^(?:" + "|".join(NOT_TASK_OPENINGS) + ")")
#: A numbered article that only says how the document itself applies: "第十条 本细则由省教育厅负责解释".
CLOSING_ARTICLE_RE = re.compile(r"^" + _ABOUT_ITSELF)

#: Web-page chrome that is not document content, each entry a whole folded line.
CHROME_LINES: tuple[str, ...] = (
    r"当前位置\s*:.*",
    r"您(?:当前)?的位置\s*:.*",
    r"首页\s*>.*",
    r"编稿时间\s*:.*浏览.*",
    r"发布时间\s*:.*(?:浏览|来源).*",
    r"(?:来源|信息来源)\s*:.{0,30}(?:浏览|点击|阅读)(?:次数|量)?\s*:?.*",
    r"打印本页|打印|关闭窗口|关闭|返回顶部|【?\s*打印\s*】?|【?\s*关闭\s*】?",
    r"【?\s*字体\s*:?\s*[大中小\s]+】?",
    r"分享到\s*:?.*",
    r"相关链接\s*:?.*",
    r"(?:相关)?政策解读\s*:?.*",
    r"上一篇\s*:?.*|下一篇\s*:?.*",
    r"扫一扫.*|手机扫.*",
    # a site footer; "主办单位:" alone is a label (the lead), so only with the footer's own words
    r"网站地图.*|版权所有.*|(?:主办|承办)单位\s*:.{0,40}(?:ICP|备案|网站|版权).*|.*ICP备.*|网站标识码.*",
    r"【\s*(?:打印|关闭|收藏)\s*】.*",
)
CHROME_RE = re.compile(r"^(?:" + "|".join(CHROME_LINES) + r")\s*$")
