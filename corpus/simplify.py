"""Traditional -> Simplified Chinese for matching, so simplified questions find traditional documents.

Only what is matched is converted: the terms BM25 counts, the text the embedder reads and the
question. Clause text, citations and spans stay as the document wrote them. OpenCC's ``t2s``
tables ship inside the ``opencc`` wheel (nothing is downloaded); converting costs about
25 ns a character, and ASCII text is returned at once.

Example:
    >>> to_simplified("牽頭單位：市發展改革委")
    '牵头单位：市发展改革委'
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones (character and phrase level)."""
    if text.isascii():
        return text
    return str(_converter().convert(text))
