"""The ``policyqa`` command line: tasks, index, search, ask, serve, eval.

Example:
    $ policyqa tasks --source 003_f31d9fd870de6b80.txt --unit 市市场监管局 --lead-only
    文件       编号             条款 …
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import PolicyQAError
from corpus.export import render_table, to_csv_bytes, write_xlsx
from corpus.ledger import TaskFilter, filter_tasks, task_record
from corpus.reader import read_corpus

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, Handler] = {}


def _command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _COMMANDS[name] = fn
        return fn

    return register


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


@_command("tasks")
def _tasks(args: argparse.Namespace) -> int:
    result = read_corpus(args.paths or [BUNDLED_CORPUS_DIR])
    for path, message in result.failures:
        print(f"warning: {path}: {message}", file=sys.stderr)
    flt = TaskFilter(
        unit=args.unit,
        lead_only=args.lead_only,
        due_before=args.due_before,
        due_after=args.due_after,
        ongoing=args.ongoing,
        source=args.source,
    )
    known = {d.source for d in result.documents}
    if args.source and args.source not in known:
        print(f"error: no document named {args.source!r}; known: {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    records = [task_record(c) for c in filter_tasks(result.documents, flt)]
    if args.csv:
        Path(args.csv).write_bytes(to_csv_bytes(records))
        print(f"wrote {len(records)} tasks to {args.csv}", file=sys.stderr)
    if args.xlsx:
        write_xlsx(records, args.xlsx)
        print(f"wrote {len(records)} tasks to {args.xlsx}", file=sys.stderr)
    if args.json:
        _print_json(records)
    elif not (args.csv or args.xlsx):
        print(render_table(records))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="policyqa", description="Search and question answering over policy documents (政策文件问答)."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    tasks = sub.add_parser("tasks", help="list task clauses with units and deadlines (任务台账)")
    tasks.add_argument("paths", nargs="*", help="files or folders (default: the bundled corpus)")
    tasks.add_argument("--unit", help="unit name, lead or other, alias-aware")
    tasks.add_argument("--lead-only", action="store_true", help="with --unit: only tasks the unit leads")
    tasks.add_argument("--due-before", metavar="YYYY-MM-DD")
    tasks.add_argument("--due-after", metavar="YYYY-MM-DD")
    tasks.add_argument("--ongoing", action="store_true", help="only ongoing tasks (持续推进)")
    tasks.add_argument("--source", metavar="FILE", help="only this document (file name)")
    tasks.add_argument("--json", action="store_true", help="print a JSON list of records")
    tasks.add_argument("--csv", metavar="FILE", help="write CSV (UTF-8 with BOM)")
    tasks.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except (PolicyQAError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
