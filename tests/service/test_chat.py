"""The OpenAI-compatible chat endpoint, driven by the official ``openai`` client against a live server."""

from __future__ import annotations

import json

import openai
import pytest
from fastapi.testclient import TestClient
from openai import OpenAI

QUESTION = "岳阳片区谁牵头企业开办一网通办？"


@pytest.fixture(scope="module")
def openai_client(live_server: str) -> OpenAI:
    return OpenAI(base_url=f"{live_server}/v1", api_key="not-needed", max_retries=0, timeout=120)


def test_models_list(openai_client: OpenAI) -> None:
    assert [m.id for m in openai_client.models.list()] == ["policy-qa"]


def test_non_streamed_reply_has_answer_and_numbered_citations(openai_client: OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="policy-qa",
        messages=[
            {"role": "system", "content": "你是政策助手"},
            {"role": "user", "content": "你好"},
            {"role": "assistant", "content": "您好，请提问。"},
            {"role": "user", "content": QUESTION},
        ],
    )
    assert completion.object == "chat.completion"
    assert completion.model == "policy-qa"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    content = choice.message.content or ""
    answer, _, citations = content.partition("\n\n")
    assert "市市场监管局" in answer and "2023年8月底前" in answer
    lines = citations.splitlines()
    title = "中国(湖南)自由贸易试验区岳阳片区实施方案(征求意见稿)"
    assert lines[0].startswith(f"[1] 《{title}》 四、(一) 1.(1)：")
    assert [line[:3] for line in lines] == [f"[{i}]" for i in range(1, len(lines) + 1)]
    assert completion.usage is not None and completion.usage.total_tokens > 0


def test_streamed_reply_equals_the_plain_one(openai_client: OpenAI) -> None:
    plain = openai_client.chat.completions.create(model="policy-qa", messages=[{"role": "user", "content": QUESTION}])
    stream = openai_client.chat.completions.create(
        model="policy-qa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    assert len(chunks) >= 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content


def test_top_k_extension_limits_citations(openai_client: OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="policy-qa", messages=[{"role": "user", "content": QUESTION}], extra_body={"top_k": 2}
    )
    content = completion.choices[0].message.content or ""
    assert "[2]" in content and "[3]" not in content


@pytest.mark.parametrize(
    "messages",
    [
        [{"role": "system", "content": "只有系统消息"}],
        [{"role": "user", "content": "   "}],
        [{"role": "user", "content": "问" * 600}],
    ],
)
def test_chat_without_a_usable_question_is_422(openai_client: OpenAI, messages: list[dict[str, str]]) -> None:
    with pytest.raises(openai.UnprocessableEntityError):
        openai_client.chat.completions.create(model="policy-qa", messages=messages)  # type: ignore[arg-type]


def test_sse_wire_format(client: TestClient) -> None:
    body = {"model": "policy-qa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line for line in response.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    payloads = [json.loads(e[len("data: ") :]) for e in events[:-1]]
    assert payloads[-1]["choices"][0]["finish_reason"] == "stop"


def test_content_parts_are_read_as_text(client: TestClient) -> None:
    parts = [{"type": "text", "text": "岳阳片区谁牵头企业开办"}, {"type": "text", "text": "一网通办？"}]
    response = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": parts}]})
    assert response.status_code == 200
    assert "市市场监管局" in response.json()["choices"][0]["message"]["content"]


def _follow_up(client: OpenAI, *questions: str) -> str:
    """The reply to the last question, the earlier ones (with their replies) as the conversation."""
    messages: list[dict[str, str]] = []
    reply = ""
    for question in questions:
        messages.append({"role": "user", "content": question})
        completion = client.chat.completions.create(model="policy-qa", messages=messages)  # type: ignore[arg-type]
        reply = completion.choices[0].message.content or ""
        messages.append({"role": "assistant", "content": reply})
    return reply


def test_follow_up_without_a_subject_is_answered_about_the_previous_clause(openai_client: OpenAI) -> None:
    reply = _follow_up(openai_client, QUESTION, "那什么时候完成？")
    answer, _, citations = reply.partition("\n\n")
    assert answer.startswith("（接上一问：岳阳片区 企业开办一网通办）")
    assert "2023年8月底前" in answer and "市市场监管局" in answer
    assert citations.startswith("[1] 《中国(湖南)自由贸易试验区岳阳片区实施方案(征求意见稿)》 四、(一) 1.(1)：")


def test_follow_up_swapping_the_place_reruns_the_question_there(openai_client: OpenAI) -> None:
    reply = _follow_up(openai_client, QUESTION, "那什么时候完成？", "湖北省的呢？")
    answer, _, citations = reply.partition("\n\n")
    assert answer.startswith("（接上一问：湖北省 企业开办一网通办）")
    assert "省市场监管局" in answer and "2020年12月底前" in answer
    assert citations.startswith("[1] 《湖北省“一网通办”实施方案》")


def test_unrelated_new_question_starts_afresh(openai_client: OpenAI) -> None:
    reply = _follow_up(openai_client, QUESTION, "咸宁“退更免”业务全程电子化谁牵头？")
    assert not reply.startswith("（接上一问")
    assert "人民银行咸宁分行" in reply.partition("\n\n")[0]
