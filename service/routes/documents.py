"""``/api/documents``: list, read (full text + clause spans), upload and delete documents.

Uploads and deletions need the admin token. An upload is accepted at once (202) and becomes a
background job (:mod:`service.jobs`, followed at ``/api/jobs/{id}``): parsed with the corpus
loaders, indexed incrementally (only its new clause texts are embedded) and saved in the upload
folder, so a later rebuild of the index keeps it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message

from corpus.ledger import task_record
from corpus.loaders import SUPPORTED_SUFFIXES
from corpus.model import Clause
from service.errors import http_error
from service.files import safe_name
from service.jobs import JobConflict, QueueFull, document_summary
from service.routes.jobs import JobRecord, Runner, job_record
from service.state import ServiceState, State, require_admin

router = APIRouter(prefix="/api/documents", tags=["documents"])

# Room for the multipart envelope (boundaries, part headers) around the file itself.
_MULTIPART_OVERHEAD = 64 * 1024

SourceParam = Annotated[str, Path(description="文件名 / document file name, e.g. 003_f31d9fd870de6b80.txt")]


def _summary(source: str, clauses: list[Clause], state: ServiceState) -> dict[str, Any]:
    return document_summary(state, source, clauses)


def _by_source(clauses: tuple[Clause, ...]) -> dict[str, list[Clause]]:
    grouped: dict[str, list[Clause]] = {}
    for clause in clauses:
        grouped.setdefault(clause.source, []).append(clause)
    return grouped


def _too_large(limit: int) -> Exception:
    return http_error(413, f"文件过大（上限 {limit} 字节）", f"upload is larger than the limit of {limit} bytes")


def _not_found(source: str, known: list[str]) -> Exception:
    return http_error(404, f"找不到文件 {source}", f"no document {source!r}; indexed: {', '.join(known)}")


@router.get("", summary="文件列表 / list documents")
def list_documents(state: State) -> dict[str, Any]:
    """Every indexed document: source, title, clause count, task count, whether it was uploaded,
    and its identity and validity: issuer, doc_number (文号), date, draft (e.g. 征求意见稿),
    validity (in_force / draft / superseded) with its Chinese label, superseded_by, supersedes."""
    with state.reading() as index:
        grouped = _by_source(index.clauses)
    return {"count": len(grouped), "documents": [_summary(s, cs, state) for s, cs in grouped.items()]}


@router.get(
    "/{source}",
    summary="文件原文与条款 / a document's text and clauses",
    responses={404: {"description": "no such document"}},
)
def get_document(source: SourceParam, state: State) -> dict[str, Any]:
    """The document's full text (``null`` when its file is gone) and its clauses with spans.

    Each clause record has ``start`` (where its text begins in ``text``) and ``end`` (where the
    clause, labels included, ends), so a viewer can scroll to and mark ``text[start:end]``.
    """
    with state.reading() as index:
        grouped = _by_source(index.clauses)
    if source not in grouped:
        raise _not_found(source, list(grouped))
    clauses = grouped[source]
    records = [{**task_record(c), "kind": str(c.kind), "is_task": c.is_task} for c in clauses]
    return {**_summary(source, clauses, state), "text": state.files.text(source), "clause_list": records}


async def _read_upload(request: Request, limit: int) -> UploadFile:
    """The ``file`` part of a multipart request whose body is at most ``limit`` (+ envelope) bytes.

    The body is counted while it arrives, so neither a false Content-Length nor a chunked
    request can make the service buffer more than the limit.

    Raises:
        HTTPException: 413 when too large, 422 without a ``file`` part.
    """
    too_large = _too_large(limit)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + _MULTIPART_OVERHEAD:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit + _MULTIPART_OVERHEAD:
            raise too_large
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=8)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise http_error(
            422,
            "缺少上传文件（表单字段 file）",
            "multipart/form-data field 'file' with the document is required",
        )
    return upload


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "",
    summary="上传文件 / upload a document",
    status_code=202,
    dependencies=[Depends(require_admin)],
    openapi_extra=_UPLOAD_BODY,
    response_model=JobRecord,
    responses={
        202: {
            "description": "accepted: follow the job at the Location header (GET /api/jobs/{id})",
            "headers": {"Location": {"description": "/api/jobs/{id}", "schema": {"type": "string"}}},
        },
        400: {"description": "bad file name"},
        401: {"description": "missing admin token"},
        403: {"description": "wrong admin token"},
        409: {"description": "a bundled document has this name, or an upload of it is queued or running"},
        413: {"description": "file too large (a read bound passed later fails the job with 413, naming it)"},
        415: {"description": "unsupported file type"},
        422: {"description": "no `file` part"},
        503: {"description": "the ingestion queue is full (see Retry-After)"},
    },
)
async def upload_document(request: Request, state: State, runner: Runner) -> JSONResponse:
    """Upload a policy file (multipart field ``file``; admin token needed).

    Types: .txt .docx .pdf (scans OCR'd) .html .htm .xlsx .xls .et .doc .wps .rtf .ofd.

    What can be checked at once is (admin token, size, file type, name); the file is then parsed,
    embedded and indexed by a background job while questions keep being answered. Returns the
    job (202) with ``Location: /api/jobs/{id}``; poll it for progress (clauses embedded of
    total), the outcome (a corrupt file fails the job with the error a 400 would have carried)
    and the extraction report. Uploading the name of an earlier upload replaces it.
    """
    limit = state.settings.max_upload_bytes
    upload = await _read_upload(request, limit)
    try:
        name = safe_name(upload.filename or "")
    except ValueError as exc:
        raise http_error(400, "文件名无效", str(exc)) from None
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in SUPPORTED_SUFFIXES:
        raise http_error(
            415,
            f"不支持的文件类型 {suffix or '（无后缀）'}",
            f"file type {suffix or '(none)'} of {name!r} is not supported; use one of {', '.join(SUPPORTED_SUFFIXES)}",
        )
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    # A name of the base corpus stays reserved even after that document was deleted from the
    # index: two files with one name would make the next full rebuild fail.
    if await run_in_threadpool(state.files.corpus_file, name) is not None:
        raise http_error(
            409,
            f"已有同名的内置文件 {name}",
            f"{name!r} is a document of the base corpus; rename the file to upload it",
        )
    try:
        job = await run_in_threadpool(runner.submit, name, data)
    except JobConflict as conflict:
        raise http_error(
            409,
            f"同名文件 {name} 正在处理中，请等待任务 {conflict.job.id} 完成",
            f"an upload of {name!r} is {conflict.job.status} (job {conflict.job.id}); wait for it to finish",
            headers={"Location": f"/api/jobs/{conflict.job.id}"},
        ) from None
    except QueueFull:
        size = state.settings.job_queue_size
        raise http_error(
            503,
            f"上传队列已满（{size} 个任务，设置项 POLICYQA_JOB_QUEUE_SIZE），请稍后重试",
            f"the ingestion queue is full ({size} jobs, job_queue_size / POLICYQA_JOB_QUEUE_SIZE); retry later",
            headers={"Retry-After": "30"},
        ) from None
    record = job_record(job)
    return JSONResponse(record.model_dump(), status_code=202, headers={"Location": record.location})


@router.delete(
    "/{source}",
    summary="删除文件 / delete a document",
    dependencies=[Depends(require_admin)],
    responses={
        401: {"description": "missing admin token"},
        403: {"description": "wrong admin token"},
        404: {"description": "no such document"},
    },
)
def delete_document(source: SourceParam, state: State) -> dict[str, Any]:
    """Remove a document's clauses from the index and delete its uploaded file (admin token needed).

    A document of the base corpus is removed from the index only; its file is left alone, so a
    full rebuild brings it back.
    """
    with state.write_lock:
        known = state.sources()
        if source not in known:
            raise _not_found(source, list(known))
        file_deleted = state.delete(source)
    return {"deleted": source, "clauses": known[source], "file_deleted": file_deleted}
