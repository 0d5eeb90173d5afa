"""``/healthz`` and ``/api/ask`` latency while ~500-clause documents are uploaded, against idle.

Starts the service (``uvicorn``, embedded index copied from ``--index``) on 127.0.0.1 and warms it up
(a question, a 3-clause upload followed to its end). Idle: ``--questions`` distinct judged questions,
``--interval`` seconds apart, each preceded by a ``/healthz``, while another process probes
``/healthz`` every ``--health-interval`` seconds. During: another process uploads ``--uploads``
generated plans of ``--clauses`` new task clauses one after the other, following each job every
0.5 s (as the web page does), while other distinct questions and the ``/healthz`` prober run the
same way. Prints p50 / p99 per phase, the slowest probes with what the job was doing, clauses/s,
and the memory of the server and of its ingestion worker process.

A server that answers 201 (indexing inside the request, before background jobs) is measured
too: "during" then lasts until the upload's response arrives.

Example:
    $ python benchmarks/bench_upload_latency.py --questions 99
    phase    n  healthz p50/p99 ms  ask p50/p99 ms  timeouts
    idle     99      2.1 /     2.7     16.1 /    21.9         0
    during   88      1.8 /    15.4     15.0 /    20.1         0
    healthz every 50 ms from another process, idle: n 513, p50 / p99 / max 2.0 / 4.9 / 27.8 ms
    healthz every 50 ms from another process, during: n 457, p50 / p99 / max 1.8 / 5.4 / 69.4 ms
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.queues
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-upload-admin-token"
ACTIONS = ("推进", "建设", "完善", "优化", "培育", "健全", "落实", "深化", "拓展", "加强", "探索", "打造")
THINGS = ("跨境电商服务平台", "冷链物流设施", "工程审批系统", "知识产权融资", "人才公寓", "智慧口岸",
          "信用评价体系", "农产品溯源", "公共数据目录", "集装箱航线", "数字人民币场景", "绿色建筑")  # fmt: skip
UNITS = ("市发改委", "市商务局", "市财政局", "市交通运输局", "市市场监管局", "市数据局", "市人社局", "市住建局")


def plan(n: int, batch: int = 0) -> str:
    """A task list of ``n`` distinct measures (each text new to the index, so each is embedded);
    plans of different ``batch`` share no measure."""
    lines = [f"临湘市营商环境综合改革任务清单（第{batch + 1}批）", "一、重点任务"]
    for i in range(1, n + 1):
        lines.append(
            f"{i}.{ACTIONS[i % 12]}{THINGS[(i * 5) % 12]}第{batch * n + i}期项目，在第{i % 7 + 1}园区开展第{i}轮试点，"
            f"年内完成{i * 3}家企业对接。(牵头单位:{UNITS[i % 8]} 责任单位:{UNITS[(i * 3 + 1) % 8]} "
            f"完成时限:{2025 + i % 3}年{i % 12 + 1}月底前)"
        )
    return "\n".join(lines) + "\n"


def upload(url: str, clauses: int, uploads: int, phase: Any, results: Any, first: int = 0) -> None:
    """Upload ``uploads`` plans (batches ``first``, ``first + 1``, …) one after the other, following
    each job; puts the outcome on ``results``."""
    started = time.monotonic()
    outcome: dict[str, object] = {"jobs": [], "status": None}
    for batch in range(first, first + uploads):
        response = httpx.post(
            f"{url}/api/documents",
            files={"file": (f"营商环境任务清单{batch + 1}.txt", plan(clauses, batch).encode(), "text/plain")},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=3600,
        )
        outcome["status"] = response.status_code
        if response.status_code != 202:
            continue
        location = response.headers["location"]
        while (job := httpx.get(f"{url}{location}", timeout=60).json())["status"] in ("queued", "running"):
            done, total = job.get("clauses_embedded") or 0, job.get("clauses_total") or 0
            step = "commit" if total and done >= total else f"embedding {done}/{total}"
            phase.value = f"upload {batch + 1} {job['status']} {step}".encode()
            time.sleep(0.5)  # as often as the web page's progress bar asks
        outcome["jobs"].append(job)  # type: ignore[attr-defined]
    outcome["seconds"] = time.monotonic() - started
    results.put(outcome)


def questions() -> list[str]:
    """The judged questions, each once."""
    path = ROOT / "eval" / "data" / "questions.jsonl"
    seen = [json.loads(line)["question"] for line in path.open(encoding="utf-8") if line.strip()]
    return list(dict.fromkeys(seen))


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of process ``pid`` in MiB (Linux)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def children(pid: int) -> list[int]:
    """Child processes of ``pid`` (Linux): the ingestion worker, when the server has one."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def start(workdir: Path, index: Path, env_extra: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """The service on a copy of ``index`` in ``workdir``; returns the process and its URL once healthy."""
    if workdir.exists():
        shutil.rmtree(workdir)
    shutil.copytree(index, workdir / "index")
    port = 18700 + os.getpid() % 1000
    env = {
        **os.environ,
        "POLICYQA_INDEX_DIR": str(workdir / "index"),
        "POLICYQA_UPLOAD_DIR": str(workdir / "uploads"),
        "POLICYQA_ADMIN_TOKEN": TOKEN,
        "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)),
        **env_extra,
    }
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}; see {workdir / 'server.log'}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("server not healthy after 300 s")


def probe(client: httpx.Client, question: str, timings: dict[str, list[float]], timeout: float) -> None:
    """One /healthz then one /api/ask; their latencies (``timeout`` when they time out)."""
    calls: tuple[tuple[str, Callable[[], httpx.Response]], ...] = (
        ("healthz", lambda: client.get("/healthz", timeout=timeout)),
        ("ask", lambda: client.post("/api/ask", json={"question": question}, timeout=timeout)),
    )
    for name, call in calls:
        started = time.perf_counter()
        try:
            call().raise_for_status()
            timings[name].append(time.perf_counter() - started)
        except httpx.TimeoutException:
            timings[name].append(timeout)
            timings["timeouts"].append(1.0)


def health_probe(url: str, interval: float, stop: Any, results: Any) -> None:
    """``/healthz`` every ``interval`` seconds until ``stop`` is set; puts the latencies on ``results``."""
    latencies: list[float] = []
    with httpx.Client(base_url=url) as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get("/healthz", timeout=60).raise_for_status()
            latencies.append(time.perf_counter() - started)
            time.sleep(interval)
    results.put(latencies)


class HealthProber:
    """:func:`health_probe` in its own process for the duration of a ``with`` block."""

    def __init__(self, url: str, interval: float) -> None:
        context = multiprocessing.get_context("fork")
        self.stop, self.results = context.Event(), context.Queue()
        self.process = context.Process(target=health_probe, args=(url, interval, self.stop, self.results))
        self.latencies: list[float] = []

    def __enter__(self) -> HealthProber:
        self.process.start()
        time.sleep(0.3)  # a freshly forked process competes for the CPU for a moment: not measured
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.latencies = self.results.get(timeout=60)
        self.process.join()


def report(phase: str, timings: dict[str, list[float]]) -> str:
    def pct(values: list[float]) -> str:
        ms = np.asarray(values) * 1000
        return f"{np.percentile(ms, 50):7.1f} / {np.percentile(ms, 99):7.1f}" if len(ms) else "      - /       -"

    n = len(timings["ask"])
    return f"{phase:<7}{n:>4}  {pct(timings['healthz'])}  {pct(timings['ask'])}  {len(timings['timeouts']):>8}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "test-cache" / "service-index")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-upload")
    parser.add_argument("--clauses", type=int, default=500, help="clauses per uploaded plan")
    parser.add_argument("--uploads", type=int, default=3, help="plans uploaded one after the other while probing")
    parser.add_argument("--questions", type=int, default=90, help="questions per phase (distinct)")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between probes (both phases)")
    parser.add_argument(
        "--health-interval", type=float, default=0.05, help="seconds between the separate /healthz prober's probes"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request counts as timed out")
    parser.add_argument("--job-threads", help="POLICYQA_JOB_THREADS for the server (default: the setting's)")
    parser.add_argument("--job-nice", help="POLICYQA_JOB_NICE for the server (default: the setting's)")
    args = parser.parse_args(argv)
    extra = {k: v for k, v in (("POLICYQA_JOB_THREADS", args.job_threads), ("POLICYQA_JOB_NICE", args.job_nice)) if v}
    pool = questions()
    if len(pool) < 2 * args.questions:
        raise SystemExit(f"only {len(pool)} distinct questions; use --questions {len(pool) // 2} or fewer")
    process, url = start(args.workdir, args.index, extra)
    try:
        with httpx.Client(base_url=url) as client:
            probe(client, pool[-1], {"healthz": [], "ask": [], "timeouts": []}, args.timeout)  # warm-up
            # The first request to a route costs FastAPI 50-100 ms of GIL once (signature and source
            # inspection, pydantic adapters); a small upload, followed to its end, pays it before timing.
            warm: multiprocessing.queues.Queue[dict[str, object]] = multiprocessing.get_context("fork").Queue()
            upload(url, 3, 1, multiprocessing.get_context("fork").Array("c", 200), warm, first=99)
            warm.get(timeout=600)
            idle: dict[str, list[float]] = {"healthz": [], "ask": [], "timeouts": []}
            with HealthProber(url, args.health_interval) as idle_health:
                for question in pool[: args.questions]:
                    probe(client, question, idle, args.timeout)
                    time.sleep(args.interval)
            rss_before = rss_mib(process.pid)

            # The uploads and the job polling run in another process, so they never hold this
            # process's GIL while a probe is being timed.
            context = multiprocessing.get_context("fork")
            phase = context.Array("c", 200)  # what the job is doing, for the slowest probes' labels
            results: multiprocessing.queues.Queue[dict[str, object]] = context.Queue()
            sender = context.Process(target=upload, args=(url, args.clauses, args.uploads, phase, results))
            sender.start()
            with HealthProber(url, args.health_interval) as during_health:
                during: dict[str, list[float]] = {"healthz": [], "ask": [], "timeouts": []}
                labels: list[str] = []
                for question in pool[args.questions : 2 * args.questions]:
                    if not sender.is_alive():
                        break
                    label = phase.value.decode()
                    probe(client, question, during, args.timeout)
                    labels.append(label)
                    time.sleep(args.interval)
            outcome = results.get(timeout=3600)
            sender.join()
            rss_after = rss_mib(process.pid)
            workers = [rss_mib(c) for c in children(process.pid)]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)

    jobs = outcome["jobs"]
    assert isinstance(jobs, list)
    clauses = sum(j.get("clauses_total") or 0 for j in jobs)
    seconds = float(outcome["seconds"])  # type: ignore[arg-type]
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
    print(
        f"uploads: {args.uploads}, last HTTP {outcome['status']}, jobs {[j.get('status') for j in jobs]}, "
        f"{seconds:.1f} s for {clauses} clauses ({clauses / seconds:.1f} clauses/s)"
    )
    print("phase    n  healthz p50/p99 ms  ask p50/p99 ms  timeouts")
    print(report("idle", idle))
    print(report("during", during))
    for name, prober in (("idle", idle_health), ("during", during_health)):
        ms = np.asarray(prober.latencies) * 1000
        print(
            f"healthz every {args.health_interval * 1000:.0f} ms from another process, {name}: n {len(ms)}, "
            f"p50 / p99 / max {np.percentile(ms, 50):.1f} / {np.percentile(ms, 99):.1f} / {ms.max():.1f} ms"
        )
    slowest = sorted(range(len(labels)), key=lambda i: -during["ask"][i])[:5]
    print("slowest asks during:", "; ".join(f"{during['ask'][i] * 1000:.0f} ms ({labels[i]})" for i in slowest))
    slowest = sorted(range(len(labels)), key=lambda i: -during["healthz"][i])[:5]
    print("slowest healthz during:", "; ".join(f"{during['healthz'][i] * 1000:.0f} ms ({labels[i]})" for i in slowest))
    added = rss_after[1] - rss_before[1]
    print(
        f"server RSS before the upload {rss_before[0]:.0f} MiB (peak {rss_before[1]:.0f}); "
        f"after {rss_after[0]:.0f} MiB (peak {rss_after[1]:.0f}): the job added {added:.0f} MiB to the peak"
    )
    for now, peak in workers:
        print(f"ingestion worker process RSS {now:.0f} MiB (peak {peak:.0f})")


if __name__ == "__main__":
    main()
