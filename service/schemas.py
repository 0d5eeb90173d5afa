"""Request bodies of the JSON API, validated at the boundary with bilingual messages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from corpus.errors import InvalidQueryError
from corpus.status import reference_date
from qa.answer import MAX_QUESTION_CHARS, MAX_TOP_K, validate_question

#: Earlier questions ``POST /api/ask`` accepts as a conversation's context.
MAX_HISTORY = 8

#: JSON-schema keywords of a question (documentation only: :func:`checked_question` validates,
#: with a bilingual message). ``\S``: not empty or whitespace-only; the length limit applies to
#: the stripped text, so the raw string may be longer only by surrounding spaces.
QUESTION_SCHEMA: dict[str, Any] = {"minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": r"\S"}


def _json_integer(value: Any) -> Any:
    """``value`` if it is a JSON number (``5`` or ``5.0``; pydantic then refuses ``5.5``).

    pydantic's lax mode also takes ``true`` and ``"5"`` as integers; a JSON-schema ``integer``
    does not, and a client sending them has a bug worth a 422. Its strict mode refuses ``5.0``,
    which JSON Schema counts as an integer.

    Raises:
        PydanticCustomError: ``int_type`` (reported as 应为整数 / a valid integer) for anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


#: An integer of a JSON body: a JSON number without fraction, not a boolean or a string.
JsonInt = Annotated[int, BeforeValidator(_json_integer)]


def checked_question(value: str) -> str:
    """``value`` if it is a question the answerer accepts.

    Raises:
        ValueError: empty, whitespace-only or over 512 characters (bilingual message), so
            pydantic reports it as a 422.
    """
    try:
        validate_question(value)
    except InvalidQueryError as exc:
        raise ValueError(str(exc)) from None
    return value


class AskRequest(BaseModel):
    """``POST /api/ask`` body.

    Attributes:
        question: the question, 1..512 characters after stripping spaces.
        top_k: how many cited clauses to return (a list question returns every matching task).
        as_of: reference date of task statuses and of "这个月" (default today).
        history: earlier questions of the conversation, oldest first (follow-ups read against them).
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "岳阳片区谁牵头企业开办一网通办？", "top_k": 5}]},
    )

    question: str = Field(
        description=f"问题，不超过 {MAX_QUESTION_CHARS} 字 / the question", json_schema_extra=QUESTION_SCHEMA
    )
    top_k: JsonInt = Field(default=5, ge=1, le=MAX_TOP_K, description="返回条款数 / clauses to cite")
    as_of: str | None = Field(
        default=None,
        description="任务状态与「这个月」的基准日 YYYY-MM-DD（默认今天）/ reference date of task statuses",
        json_schema_extra={"format": "date"},
    )
    history: list[str] = Field(
        default_factory=list,
        max_length=MAX_HISTORY,
        description="同一对话中之前的问题（从早到晚） / earlier questions of the conversation, oldest first",
    )

    @field_validator("question")
    @classmethod
    def _check_question(cls, value: str) -> str:
        return checked_question(value)

    @field_validator("as_of")
    @classmethod
    def _check_as_of(cls, value: str | None) -> str | None:
        if value:
            try:
                reference_date(value)
            except InvalidQueryError as exc:
                raise ValueError(str(exc)) from None
        return value or None

    def reference(self) -> date | None:
        """``as_of`` as a date, or None for today."""
        return reference_date(self.as_of) if self.as_of else None


class ChatMessage(BaseModel):
    """One message of an OpenAI chat request; ``content`` is text or a list of content parts."""

    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text: the string, or its text parts joined."""
        if isinstance(self.content, str):
            return self.content
        parts = self.content or []
        return "".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


class ChatRequest(BaseModel):
    """``POST /v1/chat/completions`` body (the OpenAI fields this service uses; others are ignored).

    Attributes:
        model: any name; replies report the configured model name.
        messages: the conversation; the last user message is the question.
        stream: reply as server-sent events.
        top_k: citations in the reply (an extension; OpenAI clients send it via ``extra_body``).
    """

    model_config = ConfigDict(extra="allow")

    model: str = "policy-qa"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = Field(default=False, strict=True)  # JSON true / false only, not "yes" or 1
    top_k: JsonInt = Field(default=5, ge=1, le=MAX_TOP_K)

    def question(self) -> str:
        """The last user message's text.

        Raises:
            InvalidQueryError: no user message, or the question is empty or too long.
        """
        for message in reversed(self.messages):
            if message.role == "user":
                return validate_question(message.text())
        raise InvalidQueryError("对话中没有用户消息 / the conversation has no user message")

    def user_turns(self) -> list[str]:
        """Every user message's text, oldest first; the last one is the question.

        Raises:
            InvalidQueryError: as :meth:`question`.
        """
        last = self.question()
        turns = [m.text() for m in self.messages if m.role == "user"]
        return [*turns[:-1], last]


SearchModeParam = Literal["bm25", "dense", "hybrid"]
TaskFormat = Literal["json", "csv", "xlsx"]
