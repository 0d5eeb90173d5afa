"""Run the judged dialogues on the default pipeline (in process) or a running service (over HTTP).

Example:
    $ policyqa eval --dialogues
    followup_hit@1             0.611
    …
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import PolicyQAError
from eval.dialogues import load_dialogues, run_dialogues, run_with, score_dialogues
from eval.evaluate import build_variant_index
from eval.variants import DEFAULT_VARIANT, variants_by_name
from qa.answer import Answerer
from qa.dialogue import Dialogue
from qa.library import read_clauses


def evaluate_dialogues(path: Path, work_dir: Path, url: str | None = None, top_k: int = 5) -> dict[str, float]:
    """Scores of the dialogue set at ``path`` (see :func:`eval.dialogues.score_dialogues`).

    Args:
        path: the judged dialogues (JSONL).
        work_dir: where the default variant's index is built (shared with ``policyqa eval``).
        url: a running service to ask through ``POST /api/ask`` with ``history`` instead.
        top_k: cited clauses per turn (a 「第N条」 follow-up can reach this far).

    Raises:
        EvalSetError: the set is malformed or names a clause the corpus does not have.
        PolicyQAError: the service at ``url`` cannot be reached or answers with an error.
    """
    dialogues = load_dialogues(path)
    clauses = read_clauses([BUNDLED_CORPUS_DIR])
    if url:
        outputs = run_with(lambda turns: _remote(url, turns, top_k), dialogues)
    else:
        variant = variants_by_name([DEFAULT_VARIANT])[0]
        index = build_variant_index(variant.index, clauses, work_dir)
        outputs = run_dialogues(Dialogue(Answerer(index, variant.ranking)), dialogues, top_k=top_k)
    return score_dialogues(dialogues, outputs, clauses)


def _remote(url: str, turns: list[str], top_k: int) -> dict[str, Any]:
    import httpx

    endpoint = url.rstrip("/") + "/api/ask"
    try:
        response = httpx.post(endpoint, json={"question": turns[-1], "history": turns[:-1], "top_k": top_k}, timeout=30)
    except httpx.HTTPError as exc:
        raise PolicyQAError(f"cannot reach {endpoint}: {exc}") from exc
    if response.status_code != 200:
        raise PolicyQAError(f"{endpoint} answered {response.status_code}: {response.text[:200]}")
    body: dict[str, Any] = response.json()
    return body
