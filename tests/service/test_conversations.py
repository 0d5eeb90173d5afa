"""The per-conversation memory of IM robots: bounded, least recently used first out, idle entries expire."""

from __future__ import annotations

from service.conversations import ConversationStore


def test_history_keeps_the_last_turns_oldest_first() -> None:
    store = ConversationStore(max_turns=2)
    for i, question in enumerate(["一", "二", "三"]):
        store.add("c", question, now=float(i))
    assert store.history("c", now=3.0) == ["二", "三"]
    assert store.history("other", now=3.0) == []


def test_idle_conversations_expire() -> None:
    store = ConversationStore(ttl_seconds=10)
    store.add("c", "问", now=0.0)
    assert store.history("c", now=10.0) == ["问"]
    assert store.history("c", now=10.5) == []
    store.add("c", "新", now=30.0)
    assert store.history("c", now=31.0) == ["新"]


def test_least_recently_used_is_dropped_beyond_the_bound() -> None:
    store = ConversationStore(max_conversations=2)
    store.add("a", "1", now=0.0)
    store.add("b", "2", now=1.0)
    store.history("a", now=2.0)  # reading does not refresh: only a new turn does
    store.add("a", "3", now=3.0)
    store.add("c", "4", now=4.0)
    assert len(store) == 2
    assert store.history("b", now=5.0) == []
    assert store.history("a", now=5.0) == ["1", "3"]


def test_clear_forgets_the_conversation() -> None:
    store = ConversationStore()
    store.add("a", "1", now=0.0)
    store.clear("a")
    store.clear("never-seen")
    assert store.history("a", now=1.0) == []
