"""Tables typed with "|" in plain text go through the table grammar."""

from __future__ import annotations

from corpus.loaders import load_bytes
from corpus.parser import parse_text

TEXT = """县2025年任务清单
| 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 |
|---|---|---|---|---|
| 1 | 农村户厕问题摸排整改 | 县农业农村局 | 县卫健委、各乡镇人民政府 | 2025年6月 |
| 2 | 村庄清洁行动 | 县农业农村局 | 同上 | 每年年底前 |
请各单位抓好落实。
"""


def test_pipe_table_rows_become_tasks_with_their_fields() -> None:
    loaded = load_bytes(TEXT.encode(), "清单.txt")
    assert "|" not in loaded.text
    doc = parse_text(loaded.text, loaded.source)
    first, second = (c for c in doc.clauses if c.is_task)
    assert first.text == "农村户厕问题摸排整改"
    assert first.lead_units == ("县农业农村局",) and first.units == ("县卫健委", "各乡镇人民政府")
    assert first.deadline is not None and first.deadline.date == "2025-06-30"
    assert second.units == ("县卫健委", "各乡镇人民政府")  # 同上 fills down
    assert second.deadline is not None and second.deadline.kind == "recurring"


def test_a_single_pipe_line_is_text() -> None:
    loaded = load_bytes("说明 | 见附件\n正文。".encode(), "a.txt")
    assert loaded.text.startswith("说明 | 见附件")
