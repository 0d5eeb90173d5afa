"""The MCP server over stdio, driven by the ``mcp`` client library (stdio_client + ClientSession)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult, TextContent

from tests.service.helpers import ROOT, SOURCE_003


def _params(built_index: Path, tmp_path: Path) -> StdioServerParameters:
    index_dir = tmp_path / "index"
    shutil.copytree(built_index, index_dir)
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "service.mcp_server"],
        cwd=str(ROOT),
        env={
            "POLICYQA_INDEX_DIR": str(index_dir),
            "POLICYQA_UPLOAD_DIR": str(tmp_path / "uploads"),
            "POLICYQA_ADMIN_TOKEN": "mcp-test-token-123",
            "HF_HUB_OFFLINE": "1",
        },
    )


def _text(result: CallToolResult) -> str:
    """The text of a tool result's first content block."""
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


def _structured(result: CallToolResult) -> dict[str, Any]:
    """A tool result's structured content, which must equal the JSON of its text block."""
    data = result.structured_content
    assert isinstance(data, dict)
    assert json.loads(_text(result)) == data
    return data


def test_mcp_tools_over_stdio(built_index: Path, tmp_path: Path) -> None:
    params = _params(built_index, tmp_path)

    async def session_run() -> None:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert set(tools) == {"search_policy", "list_tasks"}
            schema = tools["list_tasks"].input_schema
            assert {"unit", "lead_only", "due_before", "due_after", "ongoing", "source"} <= set(schema["properties"])

            question = {"question": "岳阳片区谁牵头企业开办一网通办？", "top_k": 2}
            answer = await session.call_tool("search_policy", question)
            assert not answer.is_error
            record = _structured(answer)
            assert "市市场监管局" in record["answer"]
            assert len(record["results"]) == 2
            assert record["results"][0]["deadline"] == "2023年8月底前"

            follow_up = {"question": "湖北省的呢？", "history": ["岳阳片区谁牵头企业开办一网通办？"]}
            swapped = _structured(await session.call_tool("search_policy", follow_up))
            assert swapped["answer"].startswith("（接上一问：湖北省 企业开办一网通办）")
            assert swapped["followup"]["mode"] == "swap"
            assert swapped["results"][0]["lead_units"] == ["省市场监管局"]

            tasks = await session.call_tool(
                "list_tasks", {"unit": "市市场监管局", "lead_only": True, "source": SOURCE_003}
            )
            ledger = _structured(tasks)
            assert ledger["count"] == len(ledger["tasks"]) > 0
            assert all("市市场监管局" in t["lead_units"] for t in ledger["tasks"])

            bad = await session.call_tool("list_tasks", {"due_before": "someday"})
            assert bad.is_error
            assert "due_before" in _text(bad)

            empty = await session.call_tool("search_policy", {"question": "  "})
            assert empty.is_error
            assert "question must not be empty" in _text(empty)

    anyio.run(session_run)
