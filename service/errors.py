"""Turn domain errors and request-validation errors into HTTP responses with bilingual messages.

Every error body is ``{"detail": "<中文> / <English>"}`` (validation errors add ``"errors"``, the
list pydantic produced), so a caller can show ``detail`` to a user as it is.

Example:
    >>> bilingual("找不到文件", "no document 'x.txt'")
    "找不到文件 / no document 'x.txt'"
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from corpus.errors import (
    ConverterUnavailableError,
    CorruptDocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    ImplausibleTextError,
    IndexStateError,
    InvalidQueryError,
    PolicyQAError,
    UnsupportedFormatError,
)

# Domain error -> (HTTP status, Chinese lead-in). Checked in order: subclasses first.
_DOMAIN_STATUS: tuple[tuple[type[PolicyQAError], int, str], ...] = (
    (InvalidQueryError, 422, "查询参数无效"),
    (UnsupportedFormatError, 415, "不支持的文件类型"),
    (DocumentTooLargeError, 413, "文件超出处理上限"),  # the message names the bound (ReadLimits field)
    (ImplausibleTextError, 422, "文件编码无法识别，请另存为 UTF-8"),
    (ConverterUnavailableError, 503, "服务器缺少读取此类文件的程序"),
    (CorruptDocumentError, 400, "文件已损坏，无法读取"),
    (EmptyDocumentError, 400, "文件中没有可读的文字"),
    (IndexStateError, 503, "索引不可用"),
    (PolicyQAError, 400, "请求无法处理"),
)

# pydantic error type -> Chinese wording; the English half is pydantic's own message.
_VALIDATION_ZH = {
    "json_invalid": "请求体不是有效的 JSON",
    "missing": "缺少必填字段",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "list_type": "应为列表",
    "dict_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "too_short": "内容过短",
    "too_long": "内容过长",
    "string_too_long": "内容过长",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "date_parsing": "应为日期 YYYY-MM-DD",
}


# Chinese wording of the HTTP errors FastAPI and Starlette raise themselves ("Not Found", …).
_STATUS_ZH = {
    400: "请求无效",
    401: "需要身份验证",
    403: "无权访问",
    404: "找不到资源",
    405: "不支持该请求方法",
    413: "请求体过大",
    415: "不支持的媒体类型",
    422: "请求参数无效",
}
# FastAPI's message for a JSON body it cannot even decode (e.g. bytes that are not UTF-8).
_BODY_PARSE_ERROR = "There was an error parsing the body"


def bilingual(zh: str, en: str) -> str:
    """One message for both audiences: ``"<中文> / <English>"``."""
    return f"{zh} / {en}"


def http_error(status: int, zh: str, en: str, headers: dict[str, str] | None = None) -> HTTPException:
    """An :class:`HTTPException` whose detail is :func:`bilingual`."""
    return HTTPException(status_code=status, detail=bilingual(zh, en), headers=headers)


def domain_status(exc: PolicyQAError) -> tuple[int, str]:
    """The HTTP status and bilingual detail for a domain error."""
    for cls, status, zh in _DOMAIN_STATUS:
        if isinstance(exc, cls):
            message = str(exc)
            # Messages that are already bilingual ("问题不能为空 / question …") are kept as they are.
            return status, message if " / " in message else bilingual(zh, message)
    raise TypeError(f"not a domain error: {exc!r}")  # unreachable: PolicyQAError is the last entry


def validation_detail(errors: Sequence[Any]) -> str:
    """One bilingual sentence per pydantic error, joined by "; "."""
    parts: list[str] = []
    for err in errors:
        kind = str(err.get("type", ""))
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        message = str(err.get("msg", ""))
        if kind == "value_error":
            # Our own validators raise ValueError with a bilingual message; pydantic prefixes it.
            parts.append(message.removeprefix("Value error, "))
        elif kind == "missing" and where == "body":
            parts.append(bilingual("缺少请求体（JSON）", "a JSON request body is required"))
        elif kind == "json_invalid":
            parts.append(bilingual(_VALIDATION_ZH[kind], f"request body is not valid JSON ({message})"))
        else:
            zh = _VALIDATION_ZH.get(kind, "请求参数无效")
            parts.append(bilingual(f"{where}：{zh}", f"{where}: {message}"))
    return "; ".join(parts) or bilingual("请求参数无效", "invalid request")


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # registered for this type only
    errors = exc.errors()
    # Only type, location and message go back: echoing the input could be large, or not even
    # JSON (a body of `Infinity` parses to a float that JSON cannot encode).
    summary = [{"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errors]
    return JSONResponse(
        status_code=422, content={"detail": validation_detail(errors), "errors": jsonable_encoder(summary)}
    )


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PolicyQAError)  # registered for this type only
    status, detail = domain_status(exc)
    return JSONResponse(status_code=status, content={"detail": detail})


#: Methods :func:`allowed_methods` asks the routes about.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves at the request's path.

    Starlette answers a 405 with the ``Allow`` header of the first route whose path matched,
    so with ``GET`` and ``DELETE /api/documents/{source}`` being two routes, ``OPTIONS`` said
    ``Allow: GET``; RFC 9110 (15.5.6) wants every method the resource supports. Each method is
    tried against the routes through ``BaseRoute.matches`` on a fresh scope. A route that
    matches every method (a mount such as ``/static``) does not choose by method and is left
    out: its own app sets ``Allow``.
    """
    matched: dict[int, list[str]] = {}  # route index -> methods it fully matches
    for method in _METHODS:
        scope = {
            "type": "http",
            "method": method,
            "path": request.scope.get("path", ""),
            "root_path": request.scope.get("root_path", ""),
            "headers": [],
            "query_string": b"",
        }
        for i, route in enumerate(request.app.router.routes):
            if route.matches(scope)[0] is Match.FULL:
                matched.setdefault(i, []).append(method)
    allowed = {m for methods in matched.values() if len(methods) < len(_METHODS) for m in methods}
    return [m for m in _METHODS if m in allowed]


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # registered for this type only
    status, detail, headers = exc.status_code, exc.detail, exc.headers
    if detail == _BODY_PARSE_ERROR:  # undecodable JSON is malformed JSON: 422 like any other
        status, detail = 422, bilingual("请求体不是有效的 JSON", "request body is not valid JSON")
    elif isinstance(detail, str) and " / " not in detail:
        detail = bilingual(_STATUS_ZH.get(status, "请求失败"), detail)
    if status == 405:
        given = [m.strip() for m in (headers or {}).get("Allow", "").split(",") if m.strip()]
        methods = list(dict.fromkeys([*given, *allowed_methods(request)]))
        if methods:
            headers = {**(headers or {}), "Allow": ", ".join(methods)}
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


#: OpenAPI schema of every error body: ``{"detail": "<中文> / <English>"}``.
ERROR_SCHEMA: dict[str, Any] = {
    "title": "ErrorResponse",
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"title": "Detail", "type": "string", "description": "<中文> / <English>"}},
}

#: OpenAPI schema of a 422: the bilingual ``detail``, and for a request that failed validation
#: ``errors`` (type, location and message of each pydantic error; see ``_on_validation_error``).
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"title": "Detail", "type": "string", "description": "<中文> / <English>"},
        "errors": {
            "title": "Errors",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "loc", "msg"],
                "properties": {
                    "type": {"type": "string"},
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                },
            },
        },
    },
}

_REF = "#/components/schemas/"


def document_error_bodies(spec: dict[str, Any]) -> dict[str, Any]:
    """Make an OpenAPI document describe the error bodies these handlers send (in place; idempotent).

    FastAPI documents a 422 as ``{"detail": [ValidationError, ...]}``, but ``_on_validation_error``
    sends ``{"detail": "<中文> / <English>", "errors": [...]}``, and the domain and HTTP errors send
    ``{"detail": "..."}`` under responses documented with a description only. Every 4xx/5xx
    response without content gets the :data:`ERROR_SCHEMA` body (a 422 the
    :data:`VALIDATION_ERROR_SCHEMA` one, which replaces FastAPI's).
    """
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorResponse"] = ERROR_SCHEMA
    schemas["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
    schemas.pop("ValidationError", None)  # only FastAPI's HTTPValidationError referred to it
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if str(status)[:1] in ("4", "5") and isinstance(response, dict) and "content" not in response:
                    name = "HTTPValidationError" if str(status) == "422" else "ErrorResponse"
                    response["content"] = {"application/json": {"schema": {"$ref": _REF + name}}}
    return spec


def _openapi_with_error_bodies(generate: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        return document_error_bodies(generate())

    return openapi


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: request validation -> 422, domain errors -> their status, and
    bilingual details for the HTTP errors FastAPI raises itself; and document those bodies in
    the app's OpenAPI schema (:func:`document_error_bodies`)."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(PolicyQAError, _on_domain_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    # FastAPI's documented way to change the generated schema: replace app.openapi.
    app.openapi = _openapi_with_error_bodies(app.openapi)  # type: ignore[method-assign]
