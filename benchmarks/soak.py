"""Soak test of a running policy-qa service: locust load plus the server's memory, summarised in Markdown.

Runs benchmarks/locustfile.py headless for ``--duration`` seconds with ``--users`` concurrent clients (all
started in the first second, no think time) while sampling every ``--interval`` seconds the resident set size
(RSS, the process and all its descendants) and CPU time of the server processes ``--pids``. Writes to
``--out``:

- ``summary.md``: requests, failures, throughput, p50/p95/p99 overall and per endpoint, RSS and CPU per PID
  (also printed);
- ``rss.csv``: the samples (``elapsed_s, pid, rss_bytes, cpu_s``; empty once a process is gone);
- from locust itself: ``locust.json`` (final per-endpoint totals, the source of the summary's figures),
  ``locust_*.csv`` (rewritten every second, so they miss the requests that end after the last rewrite), ``locust.log``
  and ``locust_console.txt``.

Only loopback targets are accepted (127.0.0.0/8, localhost, ::1), and everything is bounded in time: locust
stops after ``--duration`` (+ ``STOP_TIMEOUT_S`` for requests in flight), each request times out after
``REQUEST_TIMEOUT_S`` (locustfile), and a locust that overruns by ``OVERRUN_S`` is terminated (exit code 124;
otherwise locust's: 0 only when no request failed).

Example:
    HF_HUB_OFFLINE=1 policyqa serve --port 8000 &
    python benchmarks/soak.py --url http://127.0.0.1:8000 --users 50 --duration 600 --pids $! --out var/soak
"""

from __future__ import annotations

import argparse
import csv
import ipaddress
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = REPO_ROOT / "benchmarks" / "locustfile.py"
#: Seconds locust waits for requests in flight when the run time is up.
STOP_TIMEOUT_S = 10
#: Seconds past duration + stop timeout after which locust is terminated (startup, writing its CSV files).
OVERRUN_S = 60
#: Seconds between SIGTERM and SIGKILL of an overrunning locust.
KILL_GRACE_S = 15
#: Exit code when locust had to be terminated (as GNU timeout's).
OVERRUN_EXIT = 124
MAX_DURATION_S = 4 * 3600
MAX_USERS = 1000
MIB = 1024 * 1024
MAX_FAILURE_ROWS = 10


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is http(s) to 127.0.0.0/8, ``localhost`` or ``::1``.

    Example:
        >>> [is_loopback_url(u) for u in ("http://127.0.0.2:8000", "http://[::1]:80", "http://10.0.0.1")]
        [True, True, False]
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_pids(text: str) -> list[int]:
    """``"123,456"`` -> ``[123, 456]``; each must be a running process."""
    pids = [int(part) for part in text.split(",") if part.strip()]
    if not pids:
        raise argparse.ArgumentTypeError("no PID given")
    for pid in pids:
        if not psutil.pid_exists(pid):
            raise argparse.ArgumentTypeError(f"no process {pid}")
    return pids


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="base URL of the service (loopback only)")
    parser.add_argument("--users", type=int, required=True, help=f"concurrent clients, 1..{MAX_USERS}")
    parser.add_argument("--duration", type=int, required=True, help=f"seconds of load, 1..{MAX_DURATION_S}")
    parser.add_argument("--pids", type=parse_pids, required=True, help="server PIDs to sample, comma-separated")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between RSS samples (default 5)")
    args = parser.parse_args(argv)
    if not is_loopback_url(args.url):
        parser.error(f"--url {args.url!r}: only http(s) to 127.0.0.0/8, localhost or ::1 is allowed")
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be 1..{MAX_USERS}")
    if not 1 <= args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be 1..{MAX_DURATION_S} seconds")
    if not 0.5 <= args.interval <= args.duration:
        parser.error("--interval must be at least 0.5 s and at most --duration")
    return args


def locust_command(args: argparse.Namespace, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "locust",
        "--locustfile", str(LOCUSTFILE),
        "--host", args.url,
        "--headless", "--only-summary",
        "--users", str(args.users),
        "--spawn-rate", str(args.users),
        "--run-time", f"{args.duration}s",
        "--stop-timeout", str(STOP_TIMEOUT_S),
        "--csv", str(out / "locust"),
        "--json-file", str(out / "locust"),
        "--logfile", str(out / "locust.log"),
    ]  # fmt: skip


@dataclass
class Sample:
    """One reading of one server process and its descendants; ``None`` once the process is gone."""

    elapsed_s: float
    rss_bytes: int | None
    cpu_s: float | None


def read_process(proc: psutil.Process) -> tuple[int | None, float | None]:
    """RSS in bytes and user + system CPU seconds of ``proc`` and its descendants (``None`` when it is gone).

    Pages shared between a parent and a child count twice, as in ``ps``.
    """
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return None, None
    rss, cpu = 0, 0.0
    for member in family:
        try:
            with member.oneshot():
                rss += member.memory_info().rss
                times = member.cpu_times()
                cpu += times.user + times.system
        except psutil.NoSuchProcess:
            if member is proc:
                return None, None
    return rss, cpu


@dataclass
class Sampler:
    """Reads the server PIDs on demand and appends each reading to a CSV file."""

    pids: list[int]
    csv_path: Path
    start: float = field(default_factory=time.monotonic)
    procs: dict[int, psutil.Process] = field(init=False)
    samples: dict[int, list[Sample]] = field(init=False)

    def __post_init__(self) -> None:
        self.procs = {pid: psutil.Process(pid) for pid in self.pids}
        self.samples = {pid: [] for pid in self.pids}
        with self.csv_path.open("w", newline="") as out:
            csv.writer(out).writerow(["elapsed_s", "pid", "rss_bytes", "cpu_s"])

    def sample(self) -> None:
        elapsed = round(time.monotonic() - self.start, 1)
        with self.csv_path.open("a", newline="") as out:
            writer = csv.writer(out)
            for pid, proc in self.procs.items():
                rss, cpu = read_process(proc)
                self.samples[pid].append(Sample(elapsed, rss, cpu))
                writer.writerow([elapsed, pid, "" if rss is None else rss, "" if cpu is None else round(cpu, 2)])


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM (locust then still writes its CSV files), SIGKILL after ``KILL_GRACE_S``; the exit code."""
    process.terminate()
    try:
        return process.wait(timeout=KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def run_locust(command: list[str], args: argparse.Namespace, sampler: Sampler, console: Path) -> int:
    """Run locust, sampling every ``args.interval`` s until it exits or overruns. Returns its exit code."""
    deadline = time.monotonic() + args.duration + STOP_TIMEOUT_S + OVERRUN_S
    with console.open("wb") as out:
        locust = subprocess.Popen(command, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        try:
            while time.monotonic() < deadline:
                try:
                    return locust.wait(timeout=args.interval)
                except subprocess.TimeoutExpired:
                    sampler.sample()
            print(f"locust still running {OVERRUN_S} s after its run time; terminating it", file=sys.stderr)
            stop(locust)
            return OVERRUN_EXIT
        finally:
            if locust.poll() is None:  # e.g. KeyboardInterrupt
                stop(locust)


@dataclass
class Endpoint:
    """One request name's totals from locust's JSON; ``times`` maps a response time (ms, rounded) to a count."""

    label: str
    requests: int
    failures: int
    max_ms: float
    times: Counter[int]
    first_s: float
    last_s: float

    def percentile(self, share: float) -> int:
        """The response time ``share`` of the requests stayed within, computed as locust does."""
        count = sum(self.times.values())
        within = int(count * share)
        seen = 0
        for ms in sorted(self.times, reverse=True):
            seen += self.times[ms]
            if count - seen <= within:
                return ms
        return 0


def load_endpoints(path: Path) -> list[Endpoint]:
    """The entries of locust's ``--json-file`` (written once every request has ended, unlike its CSV files)."""
    if not path.exists():
        return []
    entries = json.loads(path.read_text(encoding="utf-8"))
    return [
        Endpoint(
            label=f"{entry['method']} {entry['name']}",
            requests=entry["num_requests"],
            failures=entry["num_failures"],
            max_ms=entry["max_response_time"],
            times=Counter({int(ms): n for ms, n in entry["response_times"].items()}),
            first_s=entry["start_time"],
            last_s=entry["last_request_timestamp"] or entry["start_time"],
        )
        for entry in sorted(entries, key=lambda e: (e["name"], e["method"]))
    ]


def aggregate(endpoints: list[Endpoint]) -> Endpoint:
    return Endpoint(
        label="all",
        requests=sum(e.requests for e in endpoints),
        failures=sum(e.failures for e in endpoints),
        max_ms=max(e.max_ms for e in endpoints),
        times=sum((e.times for e in endpoints), Counter()),
        first_s=min(e.first_s for e in endpoints),
        last_s=max(e.last_s for e in endpoints),
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def fmt_mib(value: int | None) -> str:
    return "—" if value is None else f"{value / MIB:.1f}"


def overall_lines(total: Endpoint) -> list[str]:
    share = 100 * total.failures / total.requests if total.requests else 0.0
    span = total.last_s - total.first_s
    return [
        f"- requests: {total.requests}",
        f"- failures: {total.failures} ({share:.2f} %)",
        f"- throughput: {total.requests / span:.1f} req/s (over {span:.1f} s, first request to last response)",
        f"- latency p50 / p95 / p99: {total.percentile(0.5)} / {total.percentile(0.95)} / {total.percentile(0.99)} ms",
    ]


def endpoint_table(endpoints: list[Endpoint], total: Endpoint) -> list[str]:
    """One row per request name, then the aggregate; req/s over the whole run's span."""
    span = total.last_s - total.first_s
    lines = [
        "| endpoint | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in [*endpoints, total]:
        label = "**all**" if row is total else f"`{row.label}`"
        lines.append(
            f"| {label} | {row.requests} | {row.failures} | {row.requests / span:.1f} | {row.percentile(0.5)} "
            f"| {row.percentile(0.95)} | {row.percentile(0.99)} | {row.max_ms:.0f} |"
        )
    return lines


def cores_used(samples: list[Sample]) -> str:
    """Mean CPU cores the process family used between its first and last reading."""
    read = [(s.elapsed_s, s.cpu_s) for s in samples if s.cpu_s is not None]
    if len(read) < 2 or read[-1][0] <= read[0][0]:
        return "—"
    (first_s, first_cpu), (last_s, last_cpu) = read[0], read[-1]
    return f"{(last_cpu - first_cpu) / (last_s - first_s):.2f}"


def memory_table(samples: dict[int, list[Sample]]) -> list[str]:
    lines = [
        "| pid | start MiB | min MiB | max MiB | end MiB | end − start MiB | samples | CPU cores |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for pid, series in samples.items():
        rss = [s.rss_bytes for s in series if s.rss_bytes is not None]
        start, end = series[0].rss_bytes, series[-1].rss_bytes
        growth = None if start is None or end is None else end - start
        lines.append(
            f"| {pid} | {fmt_mib(start)} | {fmt_mib(min(rss, default=None))} | {fmt_mib(max(rss, default=None))} "
            f"| {fmt_mib(end)} | {fmt_mib(growth)} | {len(rss)}/{len(series)} | {cores_used(series)} |"
        )
    return lines


def failures_table(total: Endpoint, failures_csv: Path) -> list[str]:
    """The most frequent failure messages from locust's CSV (rewritten every second, so it may miss the last)."""
    if not total.failures:
        return []
    lines = ["", "## Failures (locust_failures.csv)", "", "| request | error | count |", "|---|---|--:|"]
    rows = sorted(read_csv(failures_csv), key=lambda r: -int(r["Occurrences"]))
    for row in rows[:MAX_FAILURE_ROWS]:
        error = row["Error"][:200].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{row['Method']} {row['Name']}` | {error} | {row['Occurrences']} |")
    return lines


def summary_markdown(args: argparse.Namespace, out: Path, sampler: Sampler, locust_cpu_s: float, wall_s: float) -> str:
    endpoints = load_endpoints(out / "locust.json")
    if not endpoints:
        raise SystemExit(f"locust recorded no request; see {out / 'locust.log'} and {out / 'locust_console.txt'}")
    total = aggregate(endpoints)
    return "\n".join([
        f"# Soak: {args.users} users × {args.duration} s against {args.url}",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')}, locust {version('locust')} (no wait time, {args.users} users spawned "
        f"at once), {psutil.cpu_count()} CPU cores shared by the server and locust "
        f"(locust used {locust_cpu_s / wall_s:.2f} cores on average).",
        "",
        *overall_lines(total),
        "",
        "## Per endpoint",
        "",
        *endpoint_table(endpoints, total),
        "",
        "Percentiles as locust computes them: response times above 100 ms rounded to 2 significant digits.",
        "",
        f"## Server processes (RSS incl. descendants, every {args.interval:g} s from before the load to after it)",
        "",
        *memory_table(sampler.samples),
        *failures_table(total, out / "locust_failures.csv"),
        "",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out.resolve()  # locust runs in the repository root
    out.mkdir(parents=True, exist_ok=True)
    command = locust_command(args, out)
    sampler = Sampler(args.pids, out / "rss.csv")
    sampler.sample()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = run_locust(command, args, sampler, out / "locust_console.txt")
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler.sample()
    locust_cpu_s = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    wall_s = time.monotonic() - sampler.start
    summary = summary_markdown(args, out, sampler, locust_cpu_s, wall_s)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    return code


if __name__ == "__main__":
    sys.exit(main())
