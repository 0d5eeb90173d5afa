"""Constants shared by the service tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-admin-token-0123456789"
DINGTALK_SECRET = "test-dingtalk-app-secret"
SOURCE_003 = "003_f31d9fd870de6b80.txt"


class _Getter(Protocol):
    def get(self, url: str) -> Any: ...


def wait_for_job(client: _Getter, location: str, timeout: float = 300.0) -> dict[str, Any]:
    """Poll an upload job (``Location`` of a 202) until it is done, failed or interrupted; its record.

    ``client`` is a TestClient or an ``httpx.Client`` with a ``base_url``.

    Raises:
        AssertionError: still unfinished after ``timeout`` seconds, or the job URL answers non-200.
    """
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(location)
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()
        if record["status"] not in ("queued", "running"):
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"job still {record['status']} after {timeout} s: {record}")
        time.sleep(0.05)


def upload_and_wait(
    client: Any, name: str, data: bytes, headers: dict[str, str], timeout: float = 300.0
) -> dict[str, Any]:
    """POST a file to /api/documents (expecting 202) and follow its job to the end; the job record."""
    response = client.post("/api/documents", files={"file": (name, data)}, headers=headers)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == response.json()["location"]
    return wait_for_job(client, response.headers["location"], timeout)


_ACTIONS = ("推进", "建设", "完善", "优化", "培育", "健全", "落实", "深化", "拓展", "加强", "探索", "打造")
_OBJECTS = (
    "跨境电商综合服务平台", "冷链物流查验设施", "企业开办一网通办", "工程建设项目审批", "知识产权质押融资",
    "人才公寓保障体系", "智慧口岸通关系统", "中小企业信用评价", "农产品溯源体系", "公共数据开放目录",
    "水运集装箱航线", "数字人民币试点场景", "绿色建筑标准", "社区养老服务网络", "招商引资项目库",
)  # fmt: skip
_UNITS = ("市发改委", "市商务局", "市财政局", "市交通运输局", "市市场监管局", "市数据局", "市人社局", "市住建局")


def big_plan(n: int, title: str = "临湘市综合改革试点任务清单") -> str:
    """A plan of ``n`` distinct task clauses (each with a lead unit and a deadline), for jobs that
    take a while: every clause text is new to the index, so each one is embedded."""
    lines = [title, "一、重点任务"]
    for i in range(1, n + 1):
        action = _ACTIONS[i % len(_ACTIONS)]
        thing = _OBJECTS[(i * 7) % len(_OBJECTS)]
        lead = _UNITS[i % len(_UNITS)]
        other = _UNITS[(i * 3 + 1) % len(_UNITS)]
        lines.append(
            f"{i}.{action}{thing}第{i}期工程，在第{i % 9 + 1}片区开展第{i}批试点，形成可复制经验{i}项。"
            f"(牵头单位:{lead} 责任单位:{other} 完成时限:{2025 + i % 3}年{i % 12 + 1}月底前)"
        )
    return "\n".join(lines) + "\n"
