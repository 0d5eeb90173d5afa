"""Plain-text replies for chat clients and IM robots: the answer sentence plus numbered citations.

Example:
    >>> print(reply_text(record, max_citations=1))
    由市市场监管局牵头，…，完成时限：2023年8月底前。
    <BLANKLINE>
    [1] 《中国(湖南)自由贸易试验区…》 四、(一) 1.(1)：推进企业开办“一网通办”…（003_f31d9fd870de6b80.txt）
"""

from __future__ import annotations

from qa.records import AnswerRecord, ResultRecord

#: Longest clause excerpt shown in a citation line.
EXCERPT_CHARS = 80


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…" when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


#: Task statuses a chat reply flags, as the web page's badges do.
_FLAGGED_STATUSES = ("overdue", "due_soon")


def citation_line(number: int, result: ResultRecord) -> str:
    """``[n] 《title》 path：excerpt（source）`` for one cited clause.

    An overdue or due-soon task ends with 「已逾期」/「30天内到期」, and a clause of a document
    not in force with 【征求意见稿】/【已被替代】.
    """
    path = f" {result.path}" if result.path else ""
    line = f"[{number}] 《{result.title}》{path}：{excerpt(result.text)}（{result.source}）"
    if result.status in _FLAGGED_STATUSES:
        line += f"「{result.status_label}」"
    if result.document_validity not in (None, "in_force") and result.document_validity_label:
        line += f"【{result.document_validity_label}】"
    return line


def reply_text(record: AnswerRecord, max_citations: int = 5) -> str:
    """The answer sentence, a blank line, then up to ``max_citations`` numbered citations.

    Args:
        record: the answer's record.
        max_citations: citations to list; a longer list answer says how many were left out.

    Returns:
        The reply; just the answer ("未找到相关条款") when nothing was found.
    """
    results = record.results
    if record.no_answer or not results:
        return record.answer
    lines = [citation_line(i, r) for i, r in enumerate(results[:max_citations], start=1)]
    if len(results) > max_citations:
        lines.append(f"……另有 {len(results) - max_citations} 条，完整清单见任务台账（/api/tasks）。")
    return f"{record.answer}\n\n" + "\n".join(lines)
