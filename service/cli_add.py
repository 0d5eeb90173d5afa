"""``policyqa add FILES…``: upload documents to a running server (or, with ``--index``, add them to a
local index) and show each one's progress, then its extraction report, in the terminal.

Example:
    $ policyqa add 方案.docx 任务清单.txt --token s3cret
    方案.docx  [████████████████████] 539/539 条  已完成
      《某市实施方案》539 条款 · 412 项任务
      条款：539 · 任务：412 · 无牵头单位的任务：3 · 无完成时限的任务：12 · 待核对的值：1
    任务清单.txt  未接受 — 不支持的文件类型 … / …
    $ echo $?
    1
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

#: Chinese labels of the extraction report's fields (others are shown by their key).
REPORT_LABELS = {
    "clauses": "条款",
    "tasks": "任务",
    "without_lead": "无牵头单位的任务",
    "without_deadline": "无完成时限的任务",
    "unknown_labels": "未识别的标签",
    "flags": "待核对的值",
    "notes": "说明",
    "doc_date": "发文日期",
    "doc_year": "年份",
    "needs_review": "需要人工核对",
}
#: Codes a report item may hold, shown in Chinese.
VALUE_LABELS = {
    "lead_units": "牵头单位",
    "units": "责任单位",
    "deadline": "完成时限",
    "unit_holds_date": "单位中含日期",
    "unit_holds_verb": "单位中含动词",
    "unit_too_long": "单位名称过长",
    "deadline_before_document": "完成时限早于发文日期",
}
STATUS = {"queued": "排队中", "running": "处理中", "done": "已完成", "failed": "失败", "interrupted": "已中断"}
DEFAULT_URL = "http://127.0.0.1:8000"

#: Submit a file: (job record, None) when accepted, (None, bilingual refusal) otherwise.
Submit = Callable[[str, bytes], tuple[dict[str, Any] | None, str | None]]
#: The current record of the job at a location.
Poll = Callable[[str], dict[str, Any]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``policyqa add``."""
    parser.add_argument("files", nargs="+", help="documents to add")
    parser.add_argument(
        "--url",
        default=os.environ.get("POLICYQA_URL", DEFAULT_URL),
        help=f"the running server (default: $POLICYQA_URL or {DEFAULT_URL})",
    )
    parser.add_argument("--token", default=None, help="admin token (default: $POLICYQA_ADMIN_TOKEN)")
    parser.add_argument(
        "--index",
        metavar="DIR",
        help="add to the local index in DIR instead of a server (uploads kept in $POLICYQA_UPLOAD_DIR "
        "or var/uploads); never while a server runs on DIR",
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for each file")


def render_report(report: dict[str, Any]) -> list[str]:
    """Lines showing any report dict: its scalar values and list sizes, then the listed items."""
    counts: list[str] = []
    items: list[str] = []
    for key, value in report.items():
        if key in ("source", "title"):
            continue
        label = REPORT_LABELS.get(key, key)
        if isinstance(value, list):
            counts.append(f"{label}：{len(value)}")
            items.extend(f"    - {label}：{_item_text(v)}" for v in value)
        elif isinstance(value, bool):
            counts.append(f"{label}：{'是' if value else '否'}")
        elif value is not None and not isinstance(value, dict):
            counts.append(f"{label}：{value}")
    return ["  " + " · ".join(counts), *items]


def _item_text(item: object) -> str:
    if isinstance(item, dict):
        return " · ".join(_item_text(v) for v in item.values())
    return VALUE_LABELS.get(str(item), str(item))


def _bar(done: int, total: int, width: int = 20) -> str:
    filled = width * done // total if total else 0
    return f"[{'█' * filled}{'░' * (width - filled)}] {done}/{total} 条"


def follow(name: str, location: str, poll: Poll, timeout: float, out: Any = None) -> dict[str, Any]:
    """Poll a job until it ends, drawing its progress (redrawn in place on a terminal); its last record."""
    out = out or sys.stdout
    tty = hasattr(out, "isatty") and out.isatty()
    deadline = time.monotonic() + timeout
    shown = ""
    while True:
        job = poll(location)
        line = (
            f"{name}  {_bar(job['clauses_embedded'], job['clauses_total'])}  {STATUS.get(job['status'], job['status'])}"
        )
        if line != shown and (tty or job["status"] not in ("queued", "running") or not shown):
            out.write(("\r" + line) if tty else (line + "\n"))
            out.flush()
            shown = line
        if job["status"] not in ("queued", "running"):
            if tty:
                out.write("\n")
            return job
        if time.monotonic() > deadline:
            out.write(f"\n{name}  仍未完成（{timeout:g} 秒）/ still {job['status']} after {timeout:g} s\n")
            return job
        time.sleep(0.5)


def add_files(paths: list[Path], submit: Submit, poll: Poll, timeout: float, out: Any = None) -> int:
    """Add every file; print progress and report. Returns how many failed (unreadable, refused, failed)."""
    out = out or sys.stdout
    failed = 0
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.write(f"{path}  无法读取 / cannot read: {exc.strerror or exc}\n")
            failed += 1
            continue
        job, refusal = submit(path.name, data)
        if job is None:
            out.write(f"{path.name}  未接受 — {refusal}\n")
            failed += 1
            continue
        job = follow(path.name, job["location"], poll, timeout, out)
        if job["status"] != "done":
            detail = job["error"]["detail"] if job.get("error") else STATUS.get(job["status"], job["status"])
            out.write(f"  {detail}\n")
            failed += 1
            continue
        d = job["document"] or {}
        replaced = " · 已替换旧版本" if d.get("replaced") else ""
        out.write(f"  《{d.get('title')}》{d.get('clauses')} 条款 · {d.get('tasks')} 项任务{replaced}\n")
        if job.get("report"):
            out.write("\n".join(render_report(job["report"])) + "\n")
    return failed


def _remote(args: argparse.Namespace) -> tuple[Submit, Poll, Callable[[], None]]:
    token = args.token or os.environ.get("POLICYQA_ADMIN_TOKEN", "")
    client = httpx.Client(base_url=args.url, timeout=120, headers={"Authorization": f"Bearer {token}"})

    def submit(name: str, data: bytes) -> tuple[dict[str, Any] | None, str | None]:
        while True:
            response = client.post("/api/documents", files={"file": (name, data)})
            if response.status_code == 503 and "retry-after" in response.headers:  # queue full: wait
                time.sleep(float(response.headers["retry-after"]))
                continue
            if response.status_code == 202:
                record: dict[str, Any] = response.json()
                return record, None
            return None, _detail(response)

    def poll(location: str) -> dict[str, Any]:
        record: dict[str, Any] = client.get(location).raise_for_status().json()
        return record

    return submit, poll, client.close


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json()["detail"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"


def _local(args: argparse.Namespace) -> tuple[Submit, Poll, Callable[[], None]]:
    from corpus.loaders import SUPPORTED_SUFFIXES
    from service.app import open_jobs, open_state
    from service.files import safe_name
    from service.routes.jobs import job_record
    from service.settings import Settings

    settings = Settings(index_dir=Path(args.index))
    state = open_state(settings)
    runner = open_jobs(state)

    def submit(name: str, data: bytes) -> tuple[dict[str, Any] | None, str | None]:
        try:
            name = safe_name(name)
        except ValueError as exc:
            return None, f"文件名无效 / {exc}"
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            return None, f"不支持的文件类型 {suffix or '（无后缀）'} / use one of {', '.join(SUPPORTED_SUFFIXES)}"
        if state.files.corpus_file(name) is not None:
            return None, f"已有同名的内置文件 {name} / {name!r} is a document of the base corpus"
        return job_record(runner.submit(name, data)).model_dump(), None

    def poll(location: str) -> dict[str, Any]:
        job = runner.get(location.rsplit("/", 1)[-1])
        if job is None:
            raise LookupError(f"no job at {location}")
        return job_record(job).model_dump()

    def close() -> None:
        runner.stop()
        runner.store.close()
        state.index.close()

    return submit, poll, close


def run_add(args: argparse.Namespace) -> int:
    """``policyqa add``: 0 when every file was added, 1 when any failed."""
    submit, poll, close = _local(args) if args.index else _remote(args)
    try:
        failed = add_files([Path(f) for f in args.files], submit, poll, args.timeout)
    except httpx.TransportError as exc:
        print(
            f"error: cannot reach {args.url}: {exc} (start it with `policyqa serve`, or use --index DIR)",
            file=sys.stderr,
        )
        return 2
    finally:
        close()
    if failed:
        print(f"{failed} of {len(args.files)} file(s) were not added", file=sys.stderr)
    return 1 if failed else 0
