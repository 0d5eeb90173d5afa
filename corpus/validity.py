"""Is a document in force? Drafts (征求意见稿 …) and documents another one replaces.

A document is:
- **superseded** when another document of the library says it replaces it ("原《X》同时废止",
  "《X》(鄂政发〔2018〕50号)停止执行", the named title matched against the library's titles), or
  when a later document has the same title (a final beats a draft; then the later date, then
  the later upload wins);
- a **draft** when its title (or its first lines) says 征求意见稿 / 代拟稿 / 讨论稿 / 送审稿 / 草案;
- **in force** otherwise.

Example:
    >>> repeal = "本方案自印发之日起施行,原《某市营商环境方案》同时废止。"
    >>> docs = [DocumentInfo("a.txt", "某市营商环境方案", "…"), DocumentInfo("b.txt", "某市方案(修订)", repeal)]
    >>> document_validity(docs)["a.txt"].status, document_validity(docs)["a.txt"].superseded_by
    ('superseded', ('b.txt',))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from corpus.errors import PolicyQAError
from corpus.meta import read_meta
from corpus.model import Clause
from corpus.text import fold

ValidityStatus = Literal["in_force", "draft", "superseded"]
#: Chinese label of each validity status (a draft shows its own marker instead, e.g. 征求意见稿).
VALIDITY_LABELS: dict[ValidityStatus, str] = {"in_force": "现行有效", "draft": "草稿", "superseded": "已被替代"}

# A draft marker, bracketed or not: "实施方案(征求意见稿)", "（代拟稿）", "管理办法草案".
_DRAFT = re.compile(r"征求意见稿|代拟稿|讨论稿|送审稿|草案|草稿|初稿")
_DRAFT_BRACKETED = re.compile(r"[(\[【〔]?\s*(?:征求意见稿|代拟稿|讨论稿|送审稿|草案|草稿|初稿)\s*[)\]】〕]?")
# Words saying a named document stops applying: "同时废止", "停止执行", "不再执行", "同时失效".
_REPEAL = re.compile(r"(?:同时|即行|予以|一并)?(?:废止|停止执行|停止施行|不再执行|失效)")
# The clause before a repeal word: from the last "。；，：" outside 《》 (the titles it names are in it).
_CLAUSE_BREAK = re.compile(r"[。;,:！!？?\n]")
_TITLE = re.compile(r"《([^《》]{2,120})》")
# The wrapper of a circular: "省…关于印发《X》的通知" names X.
_CIRCULAR = re.compile(r"关于印发(.+?)的(?:通知|决定)$")
_PUNCTUATION = re.compile(r"[\s《》“”\"'‘’()\[\]【】〔〕<>、,.:;·—-]")
# A named title this short ("方案") would match half the library.
_MIN_TITLE_KEY = 6
_HEAD_LINES = 6


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What validity is judged from: the document's name, title and text, in library order."""

    source: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class DocumentValidity:
    """Identity and validity of one document.

    Attributes:
        source: the document's file name.
        title: its title.
        issuer, doc_number, date: as :func:`corpus.meta.read_meta` reads them (None when absent).
        draft: the draft marker ("征求意见稿"), or None for a final document.
        superseded_by: documents that replace this one (file names).
        supersedes: documents this one replaces.
        reason: why it is superseded, in Chinese, or None.
    """

    source: str
    title: str
    issuer: str | None
    doc_number: str | None
    date: str | None
    draft: str | None = None
    superseded_by: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def status(self) -> ValidityStatus:
        """superseded, draft or in_force (superseded wins over draft)."""
        if self.superseded_by:
            return "superseded"
        return "draft" if self.draft else "in_force"

    @property
    def label(self) -> str:
        """The Chinese label: 已被替代, the draft marker (e.g. 征求意见稿), or 现行有效."""
        if self.status == "draft" and self.draft:
            return self.draft
        return VALIDITY_LABELS[self.status]

    def to_dict(self) -> dict[str, Any]:
        """JSON: every attribute plus ``status`` and ``label``."""
        return {
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "date": self.date,
            "draft": self.draft,
            "validity": self.status,
            "validity_label": self.label,
            "superseded_by": list(self.superseded_by),
            "supersedes": list(self.supersedes),
            "validity_reason": self.reason,
        }


def draft_marker(title: str, text: str = "") -> str | None:
    """The draft marker in the title or the text's first lines, e.g. "征求意见稿"; None for a final.

    Example:
        >>> draft_marker("中国(湖南)自由贸易试验区岳阳片区实施方案(征求意见稿)")
        '征求意见稿'
    """
    head = [line.strip() for line in text.split("\n") if line.strip()][:_HEAD_LINES]
    for line in [title, *head]:
        found = _DRAFT.search(line)
        # In the body a marker stands on its own line ("（征求意见稿）"), not inside a sentence.
        if found and (line is title or len(_DRAFT_BRACKETED.sub("", fold(line)).strip()) == 0):
            return found.group(0)
    return None


def repealed_titles(text: str) -> list[str]:
    """Titles the text says stop applying: "原《X》同时废止" -> ["X"], in text order.

    Example:
        >>> repealed_titles("本办法自印发之日起施行,《甲办法》(鄂政发〔2018〕5号)、《乙规定》同时废止。")
        ['甲办法', '乙规定']
    """
    folded = fold(text)
    found: list[str] = []
    for repeal in _REPEAL.finditer(folded):
        start = _clause_start(folded, repeal.start())
        for title in _TITLE.findall(folded[start : repeal.start()]):
            if title not in found:
                found.append(title)
    return found


def _clause_start(text: str, end: int) -> int:
    """Where the clause ending at ``end`` starts: after the last break outside 《》."""
    depth, pos = 0, end
    while pos > 0:
        ch = text[pos - 1]
        if ch == "》":
            depth += 1
        elif ch == "《":
            depth = max(0, depth - 1)
        elif depth == 0 and _CLAUSE_BREAK.match(ch):
            break
        pos -= 1
    return pos


def title_key(title: str) -> str:
    """A matching key for a title: the circular's wrapper, draft markers and punctuation removed.

    Example:
        >>> title_key("省政府关于印发《某某实施方案》的通知") == title_key("某某实施方案（征求意见稿）")
        True
    """
    key = _PUNCTUATION.sub("", _DRAFT_BRACKETED.sub("", fold(title)))
    wrapped = _CIRCULAR.search(key)
    return wrapped.group(1) if wrapped else key


def _names(named_key: str, title_key_: str) -> bool:
    """True when a title named in a text denotes a document's title (both as :func:`title_key`)."""
    if not named_key or not title_key_:
        return False
    if named_key == title_key_:
        return True
    short, long = sorted((named_key, title_key_), key=len)
    return len(short) >= _MIN_TITLE_KEY and short in long


def document_validity(documents: Sequence[DocumentInfo]) -> dict[str, DocumentValidity]:
    """Identity and validity of every document, by file name.

    Args:
        documents: the library's documents in upload order (later ones are newer when undated).
    """
    metas = {d.source: read_meta(d.text) for d in documents}
    drafts = {d.source: draft_marker(d.title, d.text) for d in documents}
    keys = {d.source: title_key(d.title) for d in documents}
    replaced: dict[str, list[tuple[str, str]]] = {d.source: [] for d in documents}  # source -> (by, reason)
    for doc in documents:
        for named in repealed_titles(doc.text):
            named_key = title_key(named)
            for other in documents:
                if other.source != doc.source and _names(named_key, keys[other.source]):
                    replaced[other.source].append((doc.source, f"《{doc.title}》宣布《{named}》废止或停止执行"))
    # Documents with one title: the newest final (else the newest draft) replaces the others.
    order = {d.source: i for i, d in enumerate(documents)}
    by_title: dict[str, list[DocumentInfo]] = {}
    for doc in documents:
        if keys[doc.source]:
            by_title.setdefault(keys[doc.source], []).append(doc)
    for same in by_title.values():
        ranked = sorted(same, key=lambda d: (drafts[d.source] is None, metas[d.source].date or "", order[d.source]))
        newest = ranked[-1]
        for older in ranked[:-1]:
            replaced[older.source].append((newest.source, f"同名文件《{newest.title}》较新（{newest.source}）"))
    supersedes: dict[str, list[str]] = {d.source: [] for d in documents}
    for source, by in replaced.items():
        for newer, _ in by:
            supersedes[newer].append(source)
    result: dict[str, DocumentValidity] = {}
    for doc in documents:
        meta, by = metas[doc.source], replaced[doc.source]
        result[doc.source] = DocumentValidity(
            source=doc.source,
            title=doc.title,
            issuer=meta.issuer,
            doc_number=meta.doc_number,
            date=meta.date,
            draft=drafts[doc.source],
            superseded_by=tuple(dict.fromkeys(s for s, _ in by)),
            supersedes=tuple(dict.fromkeys(supersedes[doc.source])),
            reason="；".join(dict.fromkeys(r for _, r in by)) or None,
        )
    return result


def documents_from_clauses(
    clauses: Iterable[Clause],
    text_of: Callable[[str], str | None] | None = None,
    cache: dict[str, tuple[str, DocumentInfo]] | None = None,
) -> list[DocumentInfo]:
    """The library's documents from its clauses, in index order, with their full texts.

    Args:
        clauses: every indexed clause.
        text_of: the full text of a document by file name (None when unknown); without it, or
            when the file cannot be read, the clauses' texts stand in for the document's text.
        cache: documents read before, by file name, with a fingerprint of their clauses; only
            new or changed documents are read again (a scanned PDF's text can take minutes).
    """
    grouped: dict[str, list[Clause]] = {}
    for clause in clauses:
        grouped.setdefault(clause.source, []).append(clause)
    infos: list[DocumentInfo] = []
    for source, members in grouped.items():
        fingerprint = f"{len(members)}:{members[0].id}:{members[-1].id}"
        if cache is not None and source in cache and cache[source][0] == fingerprint:
            infos.append(cache[source][1])
            continue
        text: str | None = None
        if text_of is not None:
            try:
                text = text_of(source)
            except (PolicyQAError, OSError):
                text = None  # a file gone unreadable: judge it from its clauses
        title = members[0].title or (read_meta(text).title if text else "") or source
        info = DocumentInfo(source, title, text if text is not None else "\n".join(c.text for c in members))
        if cache is not None:
            cache[source] = (fingerprint, info)
        infos.append(info)
    if cache is not None:
        for gone in set(cache) - set(grouped):
            del cache[gone]
    return infos
