"""Kill -9 a replica during an upload, many times: no document lost, none half-indexed.

Each trial starts a fresh replica on the database, uploads a document with many clauses through
it, sends SIGKILL after a random delay (while it parses, embeds or writes), and then checks the
database: the document is either absent or complete (every clause, chunk and posting), the
documents acknowledged before are untouched, and ``PgIndex.check()`` finds nothing wrong.

Example:
    $ python benchmarks/fault_upload.py --database-url postgresql://postgres@127.0.0.1:5433/postgres --trials 20
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from psycopg_pool import ConnectionPool

from benchmarks.cluster import start_replica, wait_healthy
from corpus.reader import read_bytes
from index.pgstore import SCHEMA, PgIndex

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "fault-admin-token"


def plan(n: int) -> str:
    """A task list of ``n`` measures, each with a lead unit and a deadline."""
    lines = ["临湘市数字政府建设任务清单", "一、重点任务"]
    for i in range(1, n + 1):
        lines.append(
            f"({i})建设第{i}个政务服务数字化场景，实现事项{i}全程网办。"
            f"(牵头单位:市政务服务中心 责任单位:市数据局 完成时限:2027年{1 + i % 12}月底前)"
        )
    return "\n".join(lines) + "\n"


def send(url: str, name: str, body: bytes, replies: list[object]) -> None:
    """Upload ``body`` as ``name`` and follow its job; append "done" (acknowledged: the document is
    in), the job's final status, the HTTP status of a refusal, or the transport error's name."""
    try:
        response = httpx.post(
            f"{url}/api/documents",
            files={"file": (name, body, "text/plain")},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        if response.status_code != 202:
            replies.append(response.status_code)
            return
        while True:
            job = httpx.get(f"{url}{response.headers['location']}", timeout=30).json()
            if job["status"] not in ("queued", "running"):
                replies.append(job["status"])
                return
            time.sleep(0.1)
    except httpx.TransportError as exc:
        replies.append(type(exc).__name__)


def stored(pool: ConnectionPool) -> dict[str, int]:
    """Clause count of every stored document."""
    with pool.connection() as conn:
        rows = conn.execute(f"SELECT source, count(*) FROM {SCHEMA}.clauses GROUP BY source").fetchall()
    return dict(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a database already holding the corpus")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--clauses", type=int, default=40, help="measures in the uploaded document")
    parser.add_argument("--max-delay", type=float, default=8.0, help="kill within this many seconds")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "fault")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if "127.0.0.1" not in args.database_url and "localhost" not in args.database_url:
        raise SystemExit("only a database on this machine's loopback is allowed")
    args.workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    body = plan(args.clauses).encode()
    expected_clauses = len(read_bytes(body, "fault.txt").clauses)
    pool = PgIndex.connect(args.database_url, max_size=2)
    store = PgIndex.open(pool)
    before = stored(pool)
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    for trial in range(1, args.trials + 1):
        name = f"fault-{trial}.txt"
        process, port = start_replica(args.database_url, args.workdir, TOKEN)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        replies: list[object] = []

        sender = threading.Thread(target=send, args=(url, name, body, replies))
        sender.start()
        delay = rng.uniform(0.05, args.max_delay)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        sender.join(timeout=60)
        now = stored(pool)
        count = now.pop(name, 0)
        acknowledged = replies and replies[0] == "done"
        if count == 0:
            outcome = "absent (killed before commit)"
            if acknowledged:
                problems.append(f"trial {trial}: acknowledged upload lost")
        elif count == expected_clauses:
            outcome = "complete (committed before kill)"
        else:
            outcome = "HALF-INDEXED"
            problems.append(f"trial {trial}: {count} of {expected_clauses} clauses stored")
        if now != before:
            problems.append(f"trial {trial}: other documents changed: {now} != {before}")
        problems += [f"trial {trial}: {p}" for p in store.check()]
        outcomes[outcome] += 1
        print(
            f"trial {trial:2d}: kill after {delay:4.1f} s, client saw {replies[0] if replies else '-'}, {outcome}",
            flush=True,
        )
        if count:
            store.remove_document(name)
    pool.close()
    print(f"\n{args.trials} kills: " + ", ".join(f"{n} {o}" for o, n in outcomes.items()))
    print("problems: " + ("none" if not problems else "; ".join(problems)))
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
