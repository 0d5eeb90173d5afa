"""MCP server (stdio) exposing the policy library to AI assistants: ``search_policy`` and ``list_tasks``.

It reads the same settings as the web service (``POLICYQA_INDEX_DIR``, ``POLICYQA_DATABASE_URL`` …)
and opens the store on the first tool call with :func:`service.store.open_store`, like
``policyqa serve`` (built on first run only).

Example (an MCP client configuration)::

    {"mcpServers": {"policy-qa": {"command": "python", "args": ["-m", "service.mcp_server"],
                                  "env": {"POLICYQA_INDEX_DIR": "/srv/policy-qa/var/index"}}}}

Example (from a shell)::

    $ python -m service.mcp_server     # speaks JSON-RPC on stdin/stdout; logs go to stderr
"""

from __future__ import annotations

import logging
import sys
import threading

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from corpus.errors import InvalidQueryError, PolicyQAError
from corpus.ledger import TaskFilter
from corpus.records import TaskList
from corpus.status import parse_statuses
from index.store import ClauseStore
from qa.answer import Answerer
from qa.dialogue import Dialogue
from qa.records import TurnRecord
from service.settings import Settings, get_settings
from service.store import open_store

INSTRUCTIONS = (
    "政策文件问答：search_policy 回答关于政策文件的问题并引用条款"
    "（文件、编号、牵头单位、责任单位、完成时限）；"
    "list_tasks 按单位、时限、文件筛选任务台账。Answers cite policy clauses with their lead units, other "
    "units and deadlines; nothing is generated beyond the documents' own fields."
)


class Library:
    """The index and answerer, opened once on first use (thread-safe).

    Args:
        settings: where the index lives and how to build it.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._opened: tuple[ClauseStore, Answerer] | None = None

    def open(self) -> tuple[ClauseStore, Answerer]:
        """The index and its answerer, loading (or building) the index on the first call.

        Raises:
            PolicyQAError: the index can neither be loaded nor built.
        """
        with self._lock:
            if self._opened is None:
                index = open_store(self.settings)
                self._opened = (index, Answerer(index))
            return self._opened

    def search_policy(self, question: str, top_k: int = 5, history: list[str] | None = None) -> TurnRecord:
        """The answer record for ``question`` (:class:`qa.records.TurnRecord`); with ``history``
        (earlier questions, oldest first) a follow-up is read against them (``qa.dialogue``).

        Raises:
            PolicyQAError: an invalid question or top_k, or no usable index.
        """
        _, answerer = self.open()
        return TurnRecord.of_turn(Dialogue(answerer).ask([*(history or []), question], top_k=top_k))

    def list_tasks(self, task_filter: TaskFilter) -> TaskList:
        """``{"count", "as_of", "status_counts", …, "tasks"}``: ledger records (statuses on the
        filter's reference date) of the tasks that pass ``task_filter``.

        Raises:
            InvalidQueryError: ``task_filter.source`` names no indexed document.
        """
        index, _ = self.open()
        if task_filter.source and all(c.source != task_filter.source for c in index.clauses):
            known = sorted({c.source for c in index.clauses})
            raise InvalidQueryError(f"no document {task_filter.source!r}; indexed: {', '.join(known)}")
        chosen = [c for c in index.clauses if c.is_task and task_filter.matches(c)]
        return TaskList.of(chosen, task_filter.reference)


def build_server(settings: Settings | None = None) -> MCPServer:
    """The MCP server with its two tools, bound to a lazily opened :class:`Library`."""
    library = Library(settings or get_settings())
    server = MCPServer("policy-qa", instructions=INSTRUCTIONS)

    @server.tool()
    async def search_policy(question: str, top_k: int = 5, history: list[str] | None = None) -> TurnRecord:
        """回答关于政策文件的问题 / Answer a question about the policy documents.

        Returns the answer sentence (built only from the cited clause's fields, or "未找到相关条款")
        and the cited clauses: document title and file, number path, text, character span, lead
        units, other units, deadline as written and as a date, and the score.

        Args:
            question: the question in Chinese, e.g. "岳阳片区谁牵头企业开办一网通办？" (at most 512 characters).
            top_k: how many clauses to cite, 1..50 (a "…的任务有哪些" question lists every match).
            history: earlier questions of the conversation, oldest first; a follow-up such as
                "那什么时候完成？" or "湖北省的呢？" is then read against them.
        """
        try:
            return await anyio.to_thread.run_sync(library.search_policy, question, top_k, history)
        except PolicyQAError as exc:
            raise ToolError(str(exc)) from exc

    @server.tool()
    async def list_tasks(
        unit: str | None = None,
        lead_only: bool = False,
        due_before: str | None = None,
        due_after: str | None = None,
        ongoing: bool = False,
        source: str | None = None,
        status: list[str] | None = None,
        as_of: str | None = None,
    ) -> TaskList:
        """列出任务台账 / List task clauses (任务台账) with their units and deadlines.

        Every given filter must hold.

        Args:
            unit: a unit, lead or other, alias-aware ("市场监管局" finds "市市场监管局").
            lead_only: with ``unit``, only tasks the unit leads.
            due_before: ISO date YYYY-MM-DD; tasks due on or before it.
            due_after: ISO date YYYY-MM-DD; tasks due on or after it.
            ongoing: only ongoing tasks ("持续推进").
            source: only this document (its file name).
            status: only tasks in these statuses on ``as_of``: overdue (已逾期), due_soon (30天内到期),
                later (未到期), ongoing (持续推进), recurring (定期开展), no_deadline (无明确时限).
            as_of: the reference date of the statuses, YYYY-MM-DD (default: today).
        """
        try:
            statuses = parse_statuses(status or [])
            flt = TaskFilter.from_form(unit, lead_only, due_before, due_after, ongoing, source, statuses, as_of)
            return await anyio.to_thread.run_sync(library.list_tasks, flt)
        except PolicyQAError as exc:
            raise ToolError(str(exc)) from exc

    return server


def main() -> None:
    """Run the MCP server on stdin/stdout (logs on stderr, so stdout stays JSON-RPC only)."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    build_server().run("stdio")


if __name__ == "__main__":
    main()
