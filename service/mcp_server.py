"""MCP server (stdio) exposing the policy library to AI assistants: ``search_policy`` and ``list_tasks``.

It reads the same settings as the web service (``POLICYQA_INDEX_DIR`` …) and opens the index
on the first tool call (building it on first run, like ``policyqa serve``).

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
from typing import Any

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from corpus.errors import InvalidQueryError, PolicyQAError
from corpus.ledger import TaskFilter, task_record
from index.hybrid import HybridIndex
from qa.answer import Answerer, answer_record
from qa.dialogue import Dialogue, turn_record
from qa.library import open_library
from service.settings import Settings, get_settings

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
        self._opened: tuple[HybridIndex, Answerer] | None = None

    def open(self) -> tuple[HybridIndex, Answerer]:
        """The index and its answerer, loading (or building) the index on the first call.

        Raises:
            PolicyQAError: the index can neither be loaded nor built.
        """
        with self._lock:
            if self._opened is None:
                self.settings.upload_dir.mkdir(parents=True, exist_ok=True)
                index = open_library(
                    self.settings.index_dir,
                    self.settings.source_paths,
                    embedder_name=self.settings.embedder,
                    progress=False,
                )
                self._opened = (index, Answerer(index))
            return self._opened

    def search_policy(self, question: str, top_k: int = 5, history: list[str] | None = None) -> dict[str, Any]:
        """The answer record for ``question`` (see ``qa.answer.answer_record``); with ``history``
        (earlier questions, oldest first) a follow-up is read against them (``qa.dialogue``).

        Raises:
            PolicyQAError: an invalid question or top_k, or no usable index.
        """
        _, answerer = self.open()
        if history:
            return turn_record(Dialogue(answerer).ask([*history, question], top_k=top_k))
        return answer_record(answerer.ask(question, top_k=top_k))

    def list_tasks(self, task_filter: TaskFilter) -> dict[str, Any]:
        """``{"count", "tasks"}``: ledger records of the tasks that pass ``task_filter``.

        Raises:
            InvalidQueryError: ``task_filter.source`` names no indexed document.
        """
        index, _ = self.open()
        if task_filter.source and all(c.source != task_filter.source for c in index.clauses):
            known = sorted({c.source for c in index.clauses})
            raise InvalidQueryError(f"no document {task_filter.source!r}; indexed: {', '.join(known)}")
        records = [task_record(c) for c in index.clauses if c.is_task and task_filter.matches(c)]
        return {"count": len(records), "tasks": records}


def build_server(settings: Settings | None = None) -> MCPServer:
    """The MCP server with its two tools, bound to a lazily opened :class:`Library`."""
    library = Library(settings or get_settings())
    server = MCPServer("policy-qa", instructions=INSTRUCTIONS)

    @server.tool()
    async def search_policy(question: str, top_k: int = 5, history: list[str] | None = None) -> dict[str, Any]:
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
    ) -> dict[str, Any]:
        """列出任务台账 / List task clauses (任务台账) with their units and deadlines.

        Every given filter must hold.

        Args:
            unit: a unit, lead or other, alias-aware ("市场监管局" finds "市市场监管局").
            lead_only: with ``unit``, only tasks the unit leads.
            due_before: ISO date YYYY-MM-DD; tasks due on or before it.
            due_after: ISO date YYYY-MM-DD; tasks due on or after it.
            ongoing: only ongoing tasks ("持续推进").
            source: only this document (its file name).
        """
        try:
            flt = TaskFilter.from_form(unit, lead_only, due_before, due_after, ongoing, source)
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
