"""A scale-out deployment on one machine: PostgreSQL + N uvicorn replicas + nginx, all on loopback.

What docs/deployment.md describes, started for real so the soak and fault scripts have
something to hit: a local PostgreSQL 18 + pgvector (devtools.pgserver), the bundled corpus loaded
into it once, N ``uvicorn service.app:create_app`` replicas sharing it, and nginx (Debian's
package) balancing over them with ``least_conn``.

Example:
    $ python benchmarks/cluster.py --replicas 2 --port 8080 --workdir var/cluster
    cluster ready: http://127.0.0.1:8080 (replica pids 4242,4243; database postgresql://…)
    $ python benchmarks/soak.py --url http://127.0.0.1:8080 --users 50 --duration 600 --pids 4242,4243
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from corpus import BUNDLED_CORPUS_DIR
from devtools.pgserver import LocalPostgres, free_port
from index.embed.cache import EmbeddingCache
from qa.library import open_pg_library

ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = """\
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    client_max_body_size 11m;
    upstream policyqa {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://policyqa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 120s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_buffering off;
        }}
    }}
}}
"""


def start_replica(database_url: str, workdir: Path, admin_token: str) -> tuple[subprocess.Popen[bytes], int]:
    """One uvicorn replica of the service on a free loopback port."""
    port = free_port()
    env = {
        **os.environ,
        "POLICYQA_DATABASE_URL": database_url,
        "POLICYQA_ADMIN_TOKEN": admin_token,
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    log = (workdir / f"replica-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, port


def wait_healthy(url: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} not healthy after {timeout} s")


def start_nginx(workdir: Path, ports: list[int], port: int) -> subprocess.Popen[bytes]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is not installed: apt-get install -y nginx")
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)
    conf = workdir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workdir=workdir, servers=servers, port=port))
    return subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"], start_new_session=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="nginx port on 127.0.0.1")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "cluster")
    parser.add_argument("--admin-token", default="cluster-admin-token")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "test-cache" / "service-index" / "embeddings",
                        help="embeddings to reuse when loading the corpus (skipped when missing)")  # fmt: skip
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    database = LocalPostgres(workdir / "pg").start()
    cache = EmbeddingCache.load(args.cache) if (args.cache / "keys.json").exists() else None
    open_pg_library(database.url, [BUNDLED_CORPUS_DIR], cache=cache).close()
    replicas = [start_replica(database.url, workdir, args.admin_token) for _ in range(args.replicas)]
    for _, port in replicas:
        wait_healthy(f"http://127.0.0.1:{port}")
    nginx = start_nginx(workdir, [port for _, port in replicas], args.port)
    wait_healthy(f"http://127.0.0.1:{args.port}", timeout=30)
    pids = ",".join(str(p.pid) for p, _ in replicas)
    (workdir / "replica.pids").write_text(pids)
    print(f"cluster ready: http://127.0.0.1:{args.port} (replica pids {pids}; database {database.url})", flush=True)

    def stop(*_: object) -> None:
        for process in [nginx, *(p for p, _ in replicas)]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        database.stop()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
