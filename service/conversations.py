"""Recent questions per IM conversation (DingTalk, WeCom): a small in-memory LRU with a time-to-live.

A robot's callback carries one message, not the conversation, so the service remembers the last
few questions of each conversation id to read follow-ups (「那什么时候完成？」) against. Memory is
bounded (``max_conversations``), idle conversations expire (``ttl_seconds``), and nothing is
written to disk: a restart simply starts every conversation afresh.

Example:
    >>> store = ConversationStore(max_conversations=2, ttl_seconds=60)
    >>> store.add("cid1", "岳阳片区谁牵头企业开办一网通办？", now=0.0)
    >>> store.history("cid1", now=30.0)
    ['岳阳片区谁牵头企业开办一网通办？']
    >>> store.history("cid1", now=100.0)
    []
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from qa.dialogue import MAX_TURNS, RESET_WORDS

__all__ = ["RESET_WORDS", "ConversationStore"]


@dataclass
class _Entry:
    questions: list[str]
    last_seen: float


@dataclass
class ConversationStore:
    """Recent questions per conversation id, oldest first.

    Args:
        max_conversations: conversations kept; the least recently used is dropped beyond it.
        ttl_seconds: a conversation idle this long starts afresh.
        max_turns: questions kept per conversation.
    """

    max_conversations: int = 10_000
    ttl_seconds: float = 1800.0
    max_turns: int = MAX_TURNS
    _entries: OrderedDict[str, _Entry] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def history(self, key: str, now: float) -> list[str]:
        """The conversation's recent questions (oldest first); [] when unknown or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return []
            if now - entry.last_seen > self.ttl_seconds:
                del self._entries[key]
                return []
            return list(entry.questions)

    def add(self, key: str, question: str, now: float) -> None:
        """Remember ``question`` as the conversation's latest turn."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or now - entry.last_seen > self.ttl_seconds:
                entry = _Entry([], now)
            entry.questions = [*entry.questions, question][-self.max_turns :]
            entry.last_seen = now
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_conversations:
                self._entries.popitem(last=False)

    def clear(self, key: str) -> None:
        """Forget the conversation (the user asked for a new question)."""
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
