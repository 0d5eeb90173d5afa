"""Write tests/gold_blind4/docs/ and fields.jsonl from the hand-annotated specs (docs_a/b/c.py).

Usage (from the repository root): ``python tests/gold_blind4/gen/build.py``. Binary files: .docx via
python-docx, .rtf / .wps via LibreOffice from a .docx, .xlsx via openpyxl.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
import openpyxl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from docs_a import doc01, doc02, doc03  # noqa: E402
from docs_b import doc04, doc05, doc06  # noqa: E402
from docs_c import doc07, doc08, doc09, doc10  # noqa: E402
from docs_d import doc11  # noqa: E402
from spec import Doc, Table  # noqa: E402

OUT = HERE.parent / "docs"
GOLD = HERE.parent / "fields.jsonl"
LO_PROFILE = "-env:UserInstallation=file:///tmp/lo_gold5"


def _docx(doc: Doc, path: Path) -> None:
    d = docx.Document()
    for item in doc.lines:
        if isinstance(item, Table):
            table = d.add_table(rows=0, cols=len(item.header))
            table.style = "Table Grid"
            for cells in [item.header, *item.rows]:
                r = table.add_row()
                if isinstance(cells, str):  # a merged category row
                    merged = r.cells[0].merge(r.cells[-1])
                    merged.text = cells
                    continue
                for cell, text in zip(r.cells, cells, strict=True):
                    cell.text = text
        else:
            d.add_paragraph(str(item))
    d.save(str(path))


def _soffice(doc: Doc, target: str, dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (Path(doc.name).stem + ".docx")
        _docx(doc, src)
        subprocess.run(
            ["soffice", LO_PROFILE, "--headless", "--convert-to", target, "--outdir", tmp, str(src)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(Path(tmp) / (Path(doc.name).stem + "." + target), dest)


def _xlsx(doc: Doc, path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "清单"
    for item in doc.lines:
        assert isinstance(item, Table)
        if ws.max_row > 1:
            ws.append([])
        ws.append([item.title])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(item.header))
        ws.append(item.header)
        for cells in item.rows:
            assert isinstance(cells, list)
            ws.append(cells)
    wb.save(str(path))


def _html(doc: Doc, path: Path) -> None:
    body, in_list = [], False
    for item in doc.lines:
        line = str(item)
        if line in ("<ol>", "</ol>"):
            in_list = line == "<ol>"
            body.append(line)
            continue
        tag = "li" if in_list else "p"
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
    title = html.escape(str(doc.lines[1]))
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>'
        + title
        + '</title></head>\n<body>\n<div class="content">\n'
        + "\n".join(body)
        + "\n</div>\n</body></html>\n"
    )
    path.write_text(page, encoding="utf-8")


def write(doc: Doc) -> None:
    """Write one document in the format its name says."""
    path = OUT / doc.name
    if doc.name.endswith("_gb18030.txt"):
        path.write_bytes("\r\n".join(map(str, doc.lines)).encode("gb18030") + b"\r\n")
    elif path.suffix == ".txt":
        path.write_text("\n".join(map(str, doc.lines)) + "\n", encoding="utf-8")
    elif path.suffix == ".docx":
        _docx(doc, path)
    elif path.suffix == ".rtf":
        _soffice(doc, "rtf", path)
    elif path.suffix == ".wps":
        _soffice(doc, "doc", path)  # a .wps is a Word 97 binary renamed, as WPS saves it
    elif path.suffix == ".xlsx":
        _xlsx(doc, path)
    elif path.suffix == ".html":
        _html(doc, path)
    else:
        raise ValueError(f"unknown format {path.suffix!r}; allowed .txt .docx .rtf .wps .xlsx .html")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    docs = [doc01(), doc02(), doc03(), doc04(), doc05(), doc06(), doc07(), doc08(), doc09(), doc10(), doc11()]
    rows = []
    for doc in docs:
        prefixes = [g.prefix for g in doc.gold]
        dupes = {p for p in prefixes if prefixes.count(p) > 1}
        if dupes:
            raise ValueError(f"{doc.name}: prefixes not unique: {sorted(dupes)}")
        write(doc)
        for g in doc.gold:
            rows.append({"source": doc.name, **{k: v for k, v in vars(g).items()}})
    GOLD.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tasks = sum(r["task"] for r in rows)
    print(f"{len(docs)} documents, {len(rows)} entries, {tasks} tasks")


if __name__ == "__main__":
    main()
