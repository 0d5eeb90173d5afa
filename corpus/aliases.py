"""Unit names as keys for matching: "市发改委" = "市发展改革委", "市场监管局" = "市市场监管局".

Aliases are never rewritten in the stored text; filters and questions match through these keys.
"""

from __future__ import annotations

import re

from corpus.text import fold

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
