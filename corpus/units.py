"""Read responsible units: label blocks, prose such as "X牵头，Y配合", unit lists and aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus import grammar
from corpus.deadlines import looks_like_deadline
from corpus.grammar import Role
from corpus.text import fold

# A label in any written form ("牵头单位:", "【配合单位】", "完成时限  "): see corpus/grammar.py.
LABEL_RE = grammar.LABEL_RE

# Words a unit name ends with: "市市场监管局", "省商务厅(口岸办)", "钦州港片区管委", "各市、州、县人民政府".
_UNIT_END = (
    r"(?:局|厅|委|办|院|署|所|部|处|室|队|站|会|行|社|馆|中心|公司|集团|海关|部门|单位|政府|管委|"
    r"分局|支行|分行|法院|大学|小组|机构|企业|片区|港区|新区|高新区|园区|协会|联|协|乡镇|街道|社区|镇|村|司|科|股)"
)
UNIT_END_RE = re.compile(_UNIT_END + r"(?:\([^()]*\)|<[^<>]*>)?$")
# A bare place fragment that is part of a longer name: "各市", "州", "县", "直管市", "武汉市".
_PLACE_FRAGMENT = re.compile(r"^各?(?:[\u4e00-\u9fff]{0,3}[省市州县区]|直管市)$")
# Role words that end a phrase in prose units; the text before them is the unit list.
_LEAD_VERB = re.compile(r"牵头(?:负责|抓总)?|负总责|统筹(?!推进|协调)")
_UNIT_VERB = re.compile(r"(?:(?:按照?(?:职责|责任)?分工|分工|分别|共同|积极|具体)?(?:负责|配合|参与|协助|落实|实施))$")
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

    Splits on 、 , ; and whitespace outside brackets, and on 和 / 及 / 与 between two whole unit
    names (never inside one: 市文化广电和旅游局), re-joins place fragments that belong to one
    name, and drops trailing "等" and role verbs.

    Example:
        >>> split_units("市发展改革委,钦州港片区管委,市商务局(口岸办)、各市、州、县人民政府等")
        ['市发展改革委', '钦州港片区管委', '市商务局(口岸办)', '各市、州、县人民政府']
        >>> split_units("区发改局和区文化广电和旅游局及各街道办事处")
        ['区发改局', '区文化广电和旅游局', '各街道办事处']
    """
    raw_parts = [
        piece for part in split_outside_brackets(value, folded=fold(value)) for piece in _split_conjunctions(part)
    ]
    units: list[str] = []
    pending: list[str] = []
    for raw in raw_parts:
        name = fold(raw).strip()
        if not name:
            continue
        if _PLACE_FRAGMENT.match(name) and not UNIT_END_RE.search(name):  # "各市", not "各社区"
            pending.append(raw.strip())
            continue
        if pending:
            raw = "、".join(pending) + "、" + raw.strip()
            pending = []
        cleaned = clean_unit(raw)
        if not re.search(r"[\u4e00-\u9fff]", cleaned):  # "—", "/": an empty cell's filler
            continue
        if cleaned and cleaned not in units:
            units.append(cleaned)
    if pending:  # a list ending in a place name: keep the places as written
        joined = clean_unit("、".join(pending))
        if joined and joined not in units:
            units.append(joined)
    return units


# 和 / 及 / 与 / 以及 joining two unit names; only split where the left side is a whole name.
_CONJUNCTION = re.compile(r"以及|会同|[和及与]")


def _split_conjunctions(part: str) -> list[str]:
    """Split "区发改局和区财政局" at 和 when both sides are unit names; keep "区住房和城乡建设局"."""
    folded = fold(part)
    pieces: list[str] = []
    start = 0
    for m in _CONJUNCTION.finditer(folded):
        left = folded[start : m.start()].strip()
        right = folded[m.end() :]
        bare = re.match(r"(?:人民)?政府(?:$|[、,，;；])", right)  # "各县(市、区)党委和政府": one name
        if _depth(folded[: m.start()]) == 0 and UNIT_END_RE.search(left) and _names_unit(right) and not bare:
            pieces.append(part[start : m.start()])
            start = m.end()
    pieces.append(part[start:])
    return pieces


def _names_unit(text: str) -> bool:
    """True when ``text`` reads as unit names: it ends in a unit word ("…旅游局及各街道办事处")."""
    rest = re.sub(r"等(?:有关|相关)?(?:部门|单位)?$", "", clean_unit(text))
    folded = fold(rest).strip()
    return len(folded) >= 2 and bool(UNIT_END_RE.search(folded) or _PLACE_FRAGMENT.match(folded))


def _depth(text: str) -> int:
    return sum(1 for ch in text if ch in _OPEN) - sum(1 for ch in text if ch in _CLOSE)


def unit_list(text: str) -> list[str]:
    """The unit names ``text`` consists of, or [] when it holds anything else.

    Example:
        >>> unit_list("区市场监管局、区商务局"), unit_list("推进企业开办")
        (['区市场监管局', '区商务局'], [])
    """
    folded = fold(text).strip()
    if not folded or len(folded) > 60 or re.search(r"[。:“”《》]", folded):
        return []
    names = split_units(text)
    whole = all(UNIT_END_RE.search(fold(n)) and len(n) <= 25 for n in names)
    return names if names and whole and not _ACTION_START.match(folded) else []


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

    Each label's value runs to the next label. Labels may be written in any bracket family or
    none ("【牵头单位】X【配合单位】Y") and separated by ;,， or spaces. Inside a unit list, a
    deadline phrase is the deadline ("…区人社局,8月底完成") and "X(牵头)", "X牵头" mark a lead.
    A 责任单位 list is not a lead (a table's 责任单位 column beside a 配合单位 column is: see
    corpus/loaders/tables.py). Person labels
    (责任领导, 联系人) are read and dropped. Prose such as "X牵头，Y配合" is read by
    :func:`parse_prose_units`.

    Example:
        >>> f = parse_label_block("牵头单位:省税务局;责任单位:省直有关部门,各市、州、县人民政府;"
        ...                       "完成时限:2020年12月底前")
        >>> f.lead, f.units, f.deadline
        (['省税务局'], ['省直有关部门', '各市、州、县人民政府'], '2020年12月底前')
        >>> f = parse_label_block("【责任单位】区教育局(牵头)、区财政局,年底前【责任领导】王某")
        >>> f.lead, f.units, f.deadline
        (['区教育局'], ['区财政局'], '年底前')
    """
    text = _expand_label_pairs(text)
    folded = fold(text)
    fields = UnitFields()
    matches = list(LABEL_RE.finditer(folded))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = _strip_value(text[m.end() : end])
        role = grammar.label_role(m)
        if role is Role.DEADLINE:
            fields.deadline = fields.deadline or _clean_deadline(value)
            continue
        if role is Role.PERSON or role is None:
            continue
        lead, units, deadline = read_unit_value(value)
        fields.deadline = fields.deadline or deadline
        if role is Role.LEAD:
            fields.has_lead_label = True
            lead, units = lead + units, []
        elif lead:
            fields.has_lead_label = True
        _extend(fields.lead, lead)
        _extend(fields.units, units)
    fields.units = [u for u in fields.units if u not in fields.lead]
    return fields


def _expand_label_pairs(text: str) -> str:
    """ "牵头单位/配合单位:A/B、C" -> "牵头单位:A;配合单位:B、C" (the value splits at its first "/")."""
    folded = fold(text)
    m = grammar.LABEL_PAIR_RE.search(folded)
    if m is None:
        return text
    following = LABEL_RE.search(folded, m.end())
    end = following.start() if following else len(text)
    value = text[m.end() : end]
    slash = next((i for i, ch in enumerate(fold(value)) if ch == "/" and _depth(fold(value)[:i]) == 0), -1)
    if slash < 0:
        return text
    pair = f"{m.group('first')}:{value[:slash]};{m.group('second')}:{value[slash + 1 :]}"
    return text[: m.start()] + pair + _expand_label_pairs(text[end:])


def read_unit_value(value: str) -> tuple[list[str], list[str], str | None]:
    """Split one label's unit list into (lead, units, deadline).

    Example:
        >>> read_unit_value("县交通局牵头,县财政局、县住建局,2024年第三季度")
        (['县交通局'], ['县财政局', '县住建局'], '2024年第三季度')
    """
    lead: list[str] = []
    units: list[str] = []
    deadline: str | None = None
    pieces = split_outside_brackets(value, seps=",;，；")
    for piece in pieces:
        if looks_like_deadline(fold(piece)):
            deadline = deadline or _clean_deadline(piece)
            continue
        together = _together(fold(piece))
        if together is not None:  # "省委金融办会同人民银行湖北省分行、…": the first one leads
            _extend(lead, split_units(piece[: together[0]]))
            piece = piece[together[1] :]
        for name in split_units(piece):
            if name[:1] in "★☆*＊":  # "★市农业农村局": the mark may stand before the name too
                name = name[1:].strip() + name[0]
            marked = _LEAD_MARK.search(fold(name))
            if marked:
                name = name[: marked.start()].rstrip()
                if name and name not in lead:
                    lead.append(name)
                continue
            assist = _ASSIST_MARK.search(fold(name))
            name = name[: assist.start()].rstrip() if assist else name
            if name and name not in units:
                units.append(name)
    return lead, [u for u in units if u not in lead], deadline


# "区教育局(牵头)", "县交通局牵头", "县交通局牵头负责": the unit before the mark leads.
_LEAD_MARK = re.compile(r"(?:\(\s*(?:牵头|主|主办|主责)\s*\)|牵头(?:负责)?|\s*[★☆*＊])$")
# "区商务局(配合)", "区财政局（参与）": the mark says what the list already says, so it goes.
_ASSIST_MARK = re.compile(r"\(\s*(?:配合|参与|协办|协助|责任|按照?职责分工(?:负责)?)\s*\)$")


def _strip_value(value: str) -> str:
    """A label's value without separators around it, and without a closing bracket it did not open."""
    value = value.strip(" \t\u3000;；,，。、")
    # an opener left at the end ("区行政审批局][配合单位:…") or a closer it never opened
    while value and (fold(value[-1]) in _OPEN or (fold(value[-1]) in _CLOSE and _depth(fold(value)) < 0)):
        value = value[:-1].rstrip(" \t\u3000;；,，。、")
    return value


def _extend(target: list[str], names: list[str]) -> None:
    target.extend(n for n in names if n not in target)


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
    responsible: list[str] = []  # units named with a bare 负责: "县人社局负责，县住建局配合"
    unquoted = re.sub(r"“[^”]*”|\"[^\"]*\"", lambda m: "＿" * len(m.group(0)), text)
    # "由区发改局牵头、区统计局配合": a 、 after a role verb ends a phrase, as a comma would
    unquoted = re.sub(r"(?<=牵头|负责|配合|参与)、", ",", unquoted)
    folded = fold(unquoted)
    pending: list[str] = []
    seen_lead = False
    for phrase, raw in zip(_split_phrases(folded), _split_phrases(unquoted, folded=folded), strict=True):
        phrase = phrase.strip()
        raw = raw.strip()
        if not phrase:
            continue
        joined = _JOINED.match(phrase)
        if joined and seen_lead:  # "由X负责牵头，会同Y共同推进": Y are the other units
            start = joined.end()
            names = split_units(raw[start : start + len(_unit_prefix(phrase[start:]))])
            if names and all(UNIT_END_RE.search(fold(n)) for n in names):  # not "会同商务、发展改革等部门"
                fields.units.extend(u for u in names if u not in fields.units)
                pending = []
                continue
        together = _together(phrase)
        if together is not None and not seen_lead:  # "区教育局会同区财政局推进…"
            lead_end, units_start, units_end = together
            lead_end = len(re.sub(r"(?:要|应|将|须)$", "", phrase[:lead_end]))
            fields.lead.extend(split_units(raw[:lead_end]))
            fields.units.extend(u for u in split_units(raw[units_start:units_end]) if u not in fields.units)
            fields.has_lead_label = seen_lead = True
            pending = []
            continue
        implement = re.search(
            r"由(.{2,30}?)(?:具体|负责|共同|按照?职责分工)?(?:牵头|实施|负责)(?:负责)?[^,;。]{0,12}$", phrase
        )
        lead_m = _LEAD_VERB.search(phrase)  # "X牵头", "X牵头负责规划、设计"
        if implement and _unit_like(implement.group(1)):
            span = implement.span(1)
            named = split_units(raw[span[0] : span[1]])
            if len(named) > 1 and "分工" in phrase[span[1] :]:  # "由A、B按职责分工负责": units, no lead
                fields.units.extend(u for u in named if u not in fields.units)
            else:
                fields.lead.extend(named)
                fields.has_lead_label = seen_lead = True
            pending = []
        elif lead_m and lead_m.start() > 0 and _unit_like(phrase[: lead_m.start()]):
            fields.lead.extend(split_units(raw[: lead_m.start()]))
            fields.has_lead_label = seen_lead = True
            pending = []
        elif (unit_m := _UNIT_VERB.search(phrase)) and _unit_like(
            re.sub(r"等(?:有关|相关)?(?:部门|单位)?$", "", phrase[: unit_m.start()])
        ):
            named = [u for part in [*pending, raw[: unit_m.start()]] for u in split_units(part)]
            if _RESPONSIBLE_VERB.fullmatch(unit_m.group(0)):
                responsible.extend(u for u in named if u not in responsible)
            fields.units.extend(u for u in named if u not in fields.units)
            pending = []
        elif (obj := _UNIT_VERB_OBJECT.match(phrase)) and _unit_like(obj.group(1)):
            # "区财政局负责资金保障": a unit, its verb and a short object
            named = split_units(raw[: obj.end(1)])
            if obj.group(2) == "负责":
                responsible.extend(u for u in named if u not in responsible)
            fields.units.extend(u for u in named if u not in fields.units)
            pending = []
        elif (seen_lead or bracketed) and _unit_like(phrase):
            pending.append(raw)
        else:
            pending = []
    # with no 牵头, the unit that is 负责 leads: alone ("县教育局负责") or beside 配合 units
    sole = len(fields.units) == 1
    beside_others = len(responsible) < len(fields.units)
    if not fields.lead and responsible and (sole or beside_others):
        fields.lead, fields.has_lead_label = responsible, True
    fields.units = [u for u in fields.units if u not in fields.lead]
    return fields


_JOINED = re.compile(r"^(?:并|要|须)?(?:会同|联合|协同)")


def _unit_prefix(text: str) -> str:
    """The longest start of ``text`` that reads as unit names: "市城管局、市水利局共同推进" -> the names."""
    for end in range(min(len(text), 60), 1, -1):
        if _unit_like(text[:end]) and "牵头" not in text[:end]:
            return text[:end]
    return ""


def _together(phrase: str) -> tuple[int, int, int] | None:
    """Spans of "X会同Y…" where X and Y are unit names: (end of X, start of Y, end of Y), or None."""
    pos = phrase.find("会同")
    lead = re.sub(r"(?:要|应|将|须)$", "", phrase[:pos]) if pos > 0 else ""  # "省发展改革委要会同…"
    if not lead or not _unit_like(lead):
        return None
    names = _unit_prefix(phrase[pos + 2 :])  # never "会同牵头省直部门": that names a role
    return (pos, pos + 2, pos + 2 + len(names)) if names else None


_ACTION_START = re.compile(
    r"(?:设立|成立|组建|建立|新设|推动|推进|开展|加强|依托|通过|支持|鼓励|吸纳|引导|组织|动员|邀请|督促|指导|带动)"
)
# "区财政局负责资金保障", "区统计局配合做好数据监测": unit names, a role verb, a short object.
_UNIT_VERB_OBJECT = re.compile(r"^(.{2,40}?)(负责|配合|参与|协助)([\u4e00-\u9fff、]{1,12})$")


# A bare 负责 (not "按职责分工负责", not 配合): the unit it follows is responsible, i.e. leads.
_RESPONSIBLE_VERB = re.compile(r"(?:具体)?负责")


def _unit_like(text: str) -> bool:
    """True when text reads as a list of unit names (no clause-like content)."""
    text = text.strip()
    if not text or len(text) > 60 or re.search(r"[。:“”《》]|\d\s*多?\s*(?:[年月日个项万亿%家所处条人次])", text):
        return False
    last = split_outside_brackets(text)[-1].strip()
    last = re.sub(r"等$", "", last)
    if _ACTION_START.match(text):  # "设立省电子口岸管理中心": an action, not a name
        return False
    # modal and framing words mark a sentence, not a list of names ("应" but not "应急管理局")
    return bool(UNIT_END_RE.search(last)) and not re.search(r"(?:要|应(?!急)|将|把|按照|根据|围绕)", text)


def _clean_deadline(value: str) -> str | None:
    value = _strip_value(value).strip("()（）") if _depth(fold(value)) else _strip_value(value)
    return value or None


_OPEN, _CLOSE = grammar.OPEN_BRACKETS, grammar.CLOSE_BRACKETS


def split_outside_brackets(text: str, seps: str = "、,;，； \t\u3000", folded: str | None = None) -> list[str]:
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
    return split_outside_brackets(text, seps=",;。", folded=folded)
