"""Document metadata read from the text: title, issuer, document number, date (minimal)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DocMeta:
    title: str
    issuer: str | None
    doc_number: str | None
    date: str | None


def read_meta(text: str) -> DocMeta:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = lines[0] if lines else ""
    num = re.search(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\s*\d+\s*号", text)
    date = None
    m = re.search(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日\s*$", text, re.M)
    if m:
        date = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    else:
        m = re.search(r"编稿时间\s*[:：]\s*(\d{4})-(\d{2})-(\d{2})", text)
        if m:
            date = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return DocMeta(title=title, issuer=None, doc_number=num.group(0) if num else None, date=date)
