"""Read responsible units: label blocks, prose such as "X牵头，Y配合", unit lists and aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.text import fold

LEAD_LABELS = ("牵头单位", "牵头部门")
UNIT_LABELS = ("责任单位", "责任部门", "参加单位", "配合单位", "协办单位", "参与单位")
DEADLINE_LABELS = ("完成时限", "落实时间", "时间节点", "完成时间", "时限")

# A label and its colon, e.g. "牵头单位:" or "完成时限：" (matched on folded text, so ":" only).
LABEL_RE = re.compile("(" + "|".join(LEAD_LABELS + UNIT_LABELS + DEADLINE_LABELS) + r")\s*:\s*")

# Words a unit name ends with: "市市场监管局", "省商务厅(口岸办)", "钦州港片区管委", "各市、州、县人民政府".
_UNIT_END = (
    r"(?:局|厅|委|办|院|署|所|部|处|室|队|站|会|行|社|中心|公司|集团|海关|部门|单位|政府|管委|"
    r"分局|支行|分行|法院|大学|小组|机构|企业|片区|港区|新区|高新区|园区|协会|联|协)"
)
UNIT_END_RE = re.compile(_UNIT_END + r"(?:\([^()]*\)|<[^<>]*>)?$")
# A bare place fragment that is part of a longer name: "各市", "州", "县", "直管市", "武汉市".
_PLACE_FRAGMENT = re.compile(r"^各?(?:[\u4e00-\u9fff]{0,3}[省市州县区]|直管市)$")
# Role words that end a phrase in prose units; the text before them is the unit list.
_LEAD_VERB = re.compile(r"牵头(?:负责)?")
_UNIT_VERB = re.compile(r"(?:(?:按照?(?:职责|责任)?分工|分工|共同|积极|具体)?(?:负责|配合|参与|协助|落实|实施))$")
_TRAILING_VERB = re.compile(r"(?:负责|配合|参与|协助)[\u4e00-\u9fff]{0,8}$")


@dataclass(slots=True)
class UnitFields:
    """Units and deadline read from one label block or prose parenthetical.

    Attributes:
        lead: lead units as written.
        units: other units as written.
        deadline: deadline text as written without its label, or None.
        has_lead_label: the block said "牵头单位" explicitly (or "X牵头" in prose).
    """

    lead: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    deadline: str | None = None
    has_lead_label: bool = False

    def __bool__(self) -> bool:
        return bool(self.lead or self.units or self.deadline)

    def merge(self, other: UnitFields) -> None:
        """Add another block's fields (a label line following another one)."""
        self.lead.extend(u for u in other.lead if u not in self.lead)
        self.units.extend(u for u in other.units if u not in self.units)
        self.deadline = self.deadline or other.deadline
        self.has_lead_label = self.has_lead_label or other.has_lead_label


def split_units(value: str) -> list[str]:
    """Split a unit list as written into unit names.

    Splits on 、 , ; 及 and whitespace outside brackets, re-joins place fragments that belong to
    one name, and drops trailing "等" and role verbs.

    Example:
        >>> split_units("市发展改革委,钦州港片区管委,市商务局(口岸办)、各市、州、县人民政府等")
        ['市发展改革委', '钦州港片区管委', '市商务局(口岸办)', '各市、州、县人民政府']
    """
    parts = _split_outside_brackets(fold(value))
    raw_parts = _split_outside_brackets(value, folded=fold(value))
    units: list[str] = []
    pending: list[str] = []
    for folded, raw in zip(parts, raw_parts, strict=True):
        name = folded.strip()
        if not name:
            continue
        if _PLACE_FRAGMENT.match(name):
            pending.append(raw.strip())
            continue
        if pending:
            raw = "、".join(pending) + "、" + raw.strip()
            pending = []
        cleaned = clean_unit(raw)
        if cleaned and cleaned not in units:
            units.append(cleaned)
    if pending:  # a list ending in a place name: keep the places as written
        joined = clean_unit("、".join(pending))
        if joined and joined not in units:
            units.append(joined)
    return units


def clean_unit(name: str) -> str:
    """Strip role verbs, "等" and punctuation around one unit name as written.

    Example:
        >>> clean_unit("省政务办负责信息共享")
        '省政务办'
        >>> clean_unit("市卫健委等涉企行政许可单位")
        '市卫健委等涉企行政许可单位'
    """
    name = name.strip(" \t\u3000。.;；,，:：")
    name = re.sub(r"^(?:以及|及|和|由|会同)", "", name)
    for _ in range(2):
        name = _TRAILING_VERB.sub("", name) if not UNIT_END_RE.search(fold(name)) else name
        name = re.sub(r"(?:按照?(?:职责|责任)?分工|分工|共同|积极|具体)$", "", name)
        name = re.sub(r"等(?:有关|相关)?(?:部门|单位)?$", "", name)
    return name.strip(" \t\u3000。.;；,，:：")


def parse_label_block(text: str) -> UnitFields:
    """Read a block of labels: "(牵头单位:X  责任单位:Y、Z 落实时间:2023年8月底前)".

    The text may hold one or several labels separated by spaces, ";" or ",". Labels must be
    present; prose such as "X牵头" is read by :func:`parse_prose_units`.

    Example:
        >>> f = parse_label_block("牵头单位:省税务局;责任单位:省直有关部门,各市、州、县人民政府;"
        ...                       "完成时限:2020年12月底前")
        >>> f.lead, f.units, f.deadline
        (['省税务局'], ['省直有关部门', '各市、州、县人民政府'], '2020年12月底前')
    """
    folded = fold(text)
    fields = UnitFields()
    matches = list(LABEL_RE.finditer(folded))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[m.end() : end].strip(" \t\u3000;；,，。")
        label = m.group(1)
        if label in DEADLINE_LABELS:
            fields.deadline = fields.deadline or _clean_deadline(value)
        elif label in LEAD_LABELS:
            fields.has_lead_label = True
            fields.lead.extend(u for u in split_units(value) if u not in fields.lead)
        else:
            fields.units.extend(u for u in split_units(value) if u not in fields.units)
    fields.units = [u for u in fields.units if u not in fields.lead]
    return fields


def parse_prose_units(text: str, bracketed: bool = False) -> UnitFields:
    """Read units from prose: "省司法厅牵头,省发改委及各市、州、县人民政府按职责分工负责".

    Phrases are separated by , ; 。 outside brackets. A phrase ending in 牵头 names the leads; a
    phrase ending in 负责 / 配合 / 参与 names other units, together with any verb-less phrases
    just before it. "由X牵头" and "此项措施由X实施" also name the lead. Text inside quotes is
    ignored ("省厅牵头、部门配合" in a slogan names nobody). ``bracketed`` says the text is a
    responsibility parenthetical, where a verb-less unit list before "…负责" belongs to it even
    without a lead ("(省政府各部门,各市、州人民政府按职责分工负责)").

    Example:
        >>> f = parse_prose_units("省公安厅牵头,省市场监管局配合")
        >>> f.lead, f.units
        (['省公安厅'], ['省市场监管局'])
    """
    fields = UnitFields()
    unquoted = re.sub(r"“[^”]*”|\"[^\"]*\"", lambda m: "＿" * len(m.group(0)), text)
    folded = fold(unquoted)
    pending: list[str] = []
    seen_lead = False
    for phrase, raw in zip(_split_phrases(folded), _split_phrases(unquoted, folded=folded), strict=True):
        phrase = phrase.strip()
        raw = raw.strip()
        if not phrase:
            continue
        implement = re.search(r"由(.{2,30}?)(?:牵头|实施)(?:负责)?[^,;。]{0,12}$", phrase)
        lead_m = _LEAD_VERB.search(phrase)  # "X牵头", "X牵头负责规划、设计"
        if implement and _unit_like(implement.group(1)):
            span = implement.span(1)
            fields.lead.extend(split_units(raw[span[0] : span[1]]))
            fields.has_lead_label = seen_lead = True
            pending = []
        elif lead_m and lead_m.start() > 0 and _unit_like(phrase[: lead_m.start()]):
            fields.lead.extend(split_units(raw[: lead_m.start()]))
            fields.has_lead_label = seen_lead = True
            pending = []
        elif (unit_m := _UNIT_VERB.search(phrase)) and _unit_like(
            re.sub(r"等(?:有关|相关)?(?:部门|单位)?$", "", phrase[: unit_m.start()])
        ):
            for part in [*pending, raw[: unit_m.start()]]:
                fields.units.extend(u for u in split_units(part) if u not in fields.units)
            pending = []
        elif (seen_lead or bracketed) and _unit_like(phrase):
            pending.append(raw)
        else:
            pending = []
    fields.units = [u for u in fields.units if u not in fields.lead]
    return fields


def _unit_like(text: str) -> bool:
    """True when text reads as a list of unit names (no clause-like content)."""
    text = text.strip()
    if not text or len(text) > 60 or re.search(r"[。:“”《》]|\d", text):
        return False
    last = _split_outside_brackets(text)[-1].strip()
    last = re.sub(r"等$", "", last)
    return bool(UNIT_END_RE.search(last)) and not re.search(r"(?:要|应|将|把|按照|根据|围绕)", text)


def _clean_deadline(value: str) -> str | None:
    value = value.strip(" \t\u3000;；,，。()（）")
    return value or None


_OPEN = "(<[〔【"
_CLOSE = ")>]〕】"


def _split_outside_brackets(text: str, seps: str = "、,;，；及 \t\u3000", folded: str | None = None) -> list[str]:
    """Split ``text`` on separator characters that are not inside brackets.

    When ``folded`` is given, positions are read from it and the pieces cut from ``text``
    (the two have the same length), so the pieces keep the document's own characters.
    """
    probe = folded if folded is not None else text
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(probe):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _split_phrases(text: str, folded: str | None = None) -> list[str]:
    return _split_outside_brackets(text, seps=",;。", folded=folded)


# --- aliases -------------------------------------------------------------------------------------

_ALIASES = (
    ("发展和改革委员会", "发改委"),
    ("发展改革委", "发改委"),
    ("市场监督管理局", "市场监管局"),
    ("人力资源和社会保障", "人社"),
    ("人力资源社会保障", "人社"),
    ("住房和城乡建设", "住建"),
    ("自然资源和规划", "自然资源"),
    ("生态环境", "生态环境"),
    ("卫生健康委", "卫健委"),
    ("工业和信息化", "工信"),
    ("政务服务和大数据管理局", "政务办"),
    ("人民政府", "政府"),
)
_REGION_PREFIX = re.compile(r"^[省市县区]")


def canonical_unit(name: str) -> str:
    """A matching key for a unit name: folded, brackets and common long forms shortened.

    Two names denote the same unit when their keys are equal, or equal once one's region
    prefix (省/市/县/区) is dropped — see :func:`same_unit`.

    Example:
        >>> canonical_unit("市发展改革委") == canonical_unit("市发改委")
        True
    """
    key = fold(name).replace(" ", "")
    key = re.sub(r"[(<][^()<>]*[)>]", "", key)
    for long, short in _ALIASES:
        key = key.replace(long, short)
    return key


def same_unit(query: str, name: str) -> bool:
    """True when ``query`` names the unit ``name`` (alias-aware, region prefix optional).

    Example:
        >>> same_unit("市场监管局", "市市场监管局"), same_unit("市发改委", "市发展改革委")
        (True, True)
        >>> same_unit("市税务局", "省税务局")
        False
    """
    q, n = canonical_unit(query), canonical_unit(name)
    if not q or not n:
        return False
    if q == n:
        return True
    # One name is the other without its region prefix: "市场监管局" ~ "市市场监管局",
    # "商务厅" ~ "省商务厅"; but "市税务局" vs "省税务局" differ in the prefix itself.
    short, long = sorted((q, n), key=len)
    return long.endswith(short) and len(long) - len(short) == 1 and bool(_REGION_PREFIX.match(long))
