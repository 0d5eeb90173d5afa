"""HTML pages: the main content as plain text, page chrome dropped.

Government sites wrap a policy in navigation, breadcrumbs, font-size and
print buttons. This module keeps the content container (``<article>``, or an
element whose id/class names it: content, article, main, zoom, TRS_Editor),
turns block elements into line breaks and tables into lines, and drops the
chrome lines that remain. Only text nodes are kept, entities decoded, so
``&lt;script&gt;`` in the content comes out as the text "<script>" and never
as markup.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

from corpus.errors import CorruptDocumentError, DocumentError
from corpus.loaders.tables import GridCell, render_table
from corpus.loaders.txt import CONTROL, decode_text, normalise_newlines

# Elements whose content is never page text.
_DROP = [
    *("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "nav"),
    *("select", "button", "input", "textarea", "head", "audio", "video", "map"),
]
# Elements that start and end a line.
_BLOCKS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details"),
        *("dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "summary"),
        *("table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
    )
)
# id/class fragments that mark the content container, and fragments that rule one out.
_CONTENT_HINTS = ("content", "article", "main", "zoom", "trs_editor", "trs_ueditor")
_NOT_CONTENT_HINTS = ("nav", "menu", "crumb", "header", "footer", "sidebar", "share")
# The content container must hold at least this share of the page's text, else the body is used.
_MIN_CONTENT_SHARE = 0.1
# A table is a data table (rendered row by row) unless it nests tables or a cell holds this many
# blocks: then it is page layout and its cells are read as blocks.
_LAYOUT_CELL_BLOCKS = 5
# Spans are capped, and a table whose grid would exceed _MAX_GRID positions is read as layout.
_MAX_SPAN = 64
_MAX_GRID = 50_000
# Markup whitespace: runs collapse to one space, except a line break between two Chinese
# characters, which browsers drop: "为认真贯彻\n    落实" -> "为认真贯彻落实".
_SPACE = re.compile(r"[ \t\n\f]+")
_CJK = "\u3000-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs, full-width forms
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t\n]*(?=[{_CJK}])")

# <meta charset="gb2312">, <meta http-equiv="Content-Type" content="text/html; charset=GBK">
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Breadcrumbs: "当前位置: 首页 > 政务公开 > 通知公告", "您现在的位置：首页 » 新闻", "首页 > 通知公告"
_CRUMB = re.compile(r"^(?:(?:当前|您的|您现在的|您当前的|所在)位置\s*[:：]|首页\s*[>＞»›/])")
# Page chrome: "打印本页", "关闭窗口", "【字体：大 中 小】", "[打印本页] [关闭窗口]", "上一篇：…"
_CHROME_WORDS = re.compile(
    r"(?:字体|字号)\s*[:：]?\s*[大中小\s]+|打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭"
    r"|收藏本页|收藏|分享到|分享|返回顶部|我要"
)
_CHROME_LEFTOVER = re.compile(r"[\s【】\[\]()（）|｜:：]*")
_PREV_NEXT = re.compile(r"^(?:上一篇|下一篇|上一条|下一条)\s*[:：]")
# A page's date/source line, and the view counter that ends it: "浏览:", "浏览次数：1234", "点击数: 56"
_DATE_LINE = re.compile(r"(?:时间|日期|来源)\s*[:：]")
_VIEW_COUNTER = re.compile(r"\s*(?:浏览|点击|访问)(?:次数|量|数)?\s*[:：]\s*\d*\s*次?\s*$")

_LINE_BREAK = object()  # marks the end of a block element on the walk's stack


def load_html(data: bytes, name: str) -> str:
    """Extract the main content of an HTML page as plain text.

    Args:
        data: the page's bytes.
        name: the file name, for error messages.

    Returns:
        The content's non-blank lines; may be blank (the caller rejects blank text).

    Raises:
        CorruptDocumentError: the bytes are not text in any readable encoding.
    """
    markup = normalise_newlines(decode_text(data, name, declared=_declared_charset(data)))
    markup = CONTROL.sub("", markup)  # a stray control character is never shown on the page
    try:
        soup = BeautifulSoup(markup, "lxml")
        root = _main_content(soup)
        lines = _text_lines(root)
    except DocumentError:
        raise
    except Exception as exc:  # lxml/bs4 may choke on pathological markup
        raise CorruptDocumentError(f"cannot read HTML {name}: {type(exc).__name__}: {exc}") from exc
    kept = [line for line in (_clean_line(line) for line in lines) if line]
    return "\n".join(kept)


def is_crumb(line: str) -> bool:
    """True for a breadcrumb line such as "当前位置: 首页 > 政务公开 > 通知公告"."""
    return bool(_CRUMB.match(line.strip()))


def _declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB, mapped to a Python codec, or None."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    if codec in ("gb2312", "gbk", "cp936"):
        return "gb18030"  # pages labelled GB2312 routinely use GBK characters; GB18030 reads both
    if codec.startswith(("utf-16", "utf-32")):
        return None  # an ASCII-compatible page cannot be UTF-16; browsers ignore this label too
    return codec


def _main_content(soup: BeautifulSoup) -> Tag:
    """Drop non-text elements and return the element holding the page's content."""
    for tag in soup.find_all(_DROP):
        _remove(tag)
    for tag in soup.find_all(["header", "footer"]):
        if tag.find_parent("article") is None:
            _remove(tag)  # site header/footer; an article's own header holds its title
    for tag in soup.find_all(_is_hidden):
        _remove(tag)
    body = soup.body or soup
    candidates = soup.find_all("article") or soup.find_all(_looks_like_content)
    if not candidates:
        return body
    best: Tag = max(candidates, key=_text_length)
    if _text_length(best) < _MIN_CONTENT_SHARE * _text_length(body):
        return body  # the hint named something small (a widget), not the content
    outside = [h1 for h1 in soup.find_all("h1") if not _encloses(best, h1) and not _encloses(h1, best)]
    if len(outside) == 1 and best.find("h1") is None:
        # the page title sits outside the content box (<h1> above <div id="zoom">): keep it on top
        best.insert(0, outside[0].extract())
    return best


def _encloses(outer: Tag, inner: Tag) -> bool:
    return any(parent is outer for parent in inner.parents)


def _remove(tag: Tag) -> None:
    if not tag.decomposed:  # already gone with an enclosing element
        tag.decompose()


def _is_hidden(tag: Tag) -> bool:
    style = str(tag.get("style") or "").replace(" ", "").lower()
    return tag.has_attr("hidden") or "display:none" in style or tag.get("role") == "navigation"


def _looks_like_content(tag: Tag) -> bool:
    classes = tag.get("class")
    class_text = " ".join(classes) if isinstance(classes, list) else str(classes or "")
    marks = f"{tag.get('id') or ''} {class_text}".lower()
    return any(h in marks for h in _CONTENT_HINTS) and not any(h in marks for h in _NOT_CONTENT_HINTS)


def _text_length(tag: Tag) -> int:
    return len("".join(tag.get_text().split()))


def _text_lines(root: Tag) -> list[str]:
    """Walk the tree (iteratively: pages can nest deeply) and return its text split into lines."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]  # (node, inside <pre>)
    while stack:
        node, pre = stack.pop()
        if node is _LINE_BREAK:
            parts.append("\n")
        elif isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctype are not text
                parts.append(str(node) if pre else _SPACE.sub(" ", _CJK_LINE_BREAK.sub("", str(node))))
        elif isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
            elif node.name == "table" and _is_data_table(node):
                parts.append("\n")
                for line in render_table(_grid(node)):
                    parts.extend((line, "\n"))
            else:
                if node.name in _BLOCKS:
                    parts.append("\n")
                    stack.append((_LINE_BREAK, pre))
                inner_pre = pre or node.name == "pre"
                stack.extend((child, inner_pre) for child in reversed(node.contents))
    return "".join(parts).split("\n")


def _is_data_table(table: Tag) -> bool:
    """A table of data rather than page layout: no nested table, no cell full of paragraphs."""
    if table.find("table") is not None:
        return False
    cells = table.find_all(["td", "th"])
    if sum(_span(cell, "colspan") * _span(cell, "rowspan") for cell in cells) > _MAX_GRID:
        return False
    return all(len(cell.find_all(["p", "div", "br", "li"])) < _LAYOUT_CELL_BLOCKS for cell in cells)


def _grid(table: Tag) -> list[list[GridCell]]:
    """The table's layout grid, a cell with rowspan/colspan repeated at each position it covers."""
    rows: list[list[GridCell]] = []
    pending: dict[tuple[int, int], GridCell] = {}  # positions covered by rowspans from above
    for r, tr in enumerate(table.find_all("tr")):
        row: list[GridCell] = []
        for td in tr.find_all(["td", "th"], recursive=False):
            while (r, len(row)) in pending:
                row.append(pending.pop((r, len(row))))
            cell = GridCell(td, " ".join(line.strip() for line in _text_lines(td) if line.strip()))
            colspan, rowspan = _span(td, "colspan"), _span(td, "rowspan")
            for c in range(len(row), len(row) + colspan):
                for below in range(r + 1, r + rowspan):
                    pending[(below, c)] = cell
            row.extend([cell] * colspan)
        while (r, len(row)) in pending:
            row.append(pending.pop((r, len(row))))
        rows.append(row)
    return rows


def _span(td: Tag, attribute: str) -> int:
    value = str(td.get(attribute) or "1").strip()
    return min(int(value), _MAX_SPAN) if value.isascii() and value.isdigit() and int(value) > 0 else 1


def _clean_line(line: str) -> str:
    """A content line with spacing tidied, or "" for a chrome line."""
    line = line.replace("\xa0", " ").strip()
    if not line or _CRUMB.match(line) or _PREV_NEXT.match(line):
        return ""
    if _CHROME_LEFTOVER.fullmatch(_CHROME_WORDS.sub("", line)):
        return ""
    if _DATE_LINE.search(line):
        # keep "编稿时间: 2021-01-19 19:28 来源: 岳阳市商务粮食局" (read_meta reads it), minus its counter
        return _VIEW_COUNTER.sub("", line)
    return line
