"""Small helpers for the open file formats an index directory is made of."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpus.errors import IndexStateError


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as UTF-8 JSON (Chinese kept readable, not ``\\u`` escaped)."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=None), encoding="utf-8")


def read_json(path: Path) -> Any:
    """Read a JSON file.

    Raises:
        IndexStateError: the file is missing or is not valid JSON.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexStateError(f"index file {path} is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IndexStateError(f"index file {path} is not valid JSON: {e}") from None


def require_files(path: Path, names: Sequence[str], what: str) -> None:
    """Check that directory ``path`` holds every file in ``names``.

    Raises:
        IndexStateError: naming the missing files.
    """
    missing = [n for n in names if not (path / n).is_file()]
    if missing:
        raise IndexStateError(f"{what} at {path} is missing {', '.join(missing)}")


def check_ids(ids: Sequence[str], n_items: int) -> None:
    """Check that there is one id per item and no id repeats.

    Raises:
        ValueError: naming the lengths or the repeated ids.
    """
    if len(ids) != n_items:
        raise ValueError(f"got {n_items} items but {len(ids)} ids")
    if len(set(ids)) != len(ids):
        dupes = [i for i, c in Counter(ids).items() if c > 1]
        raise ValueError(f"ids must be unique; repeated: {dupes[:5]}")
