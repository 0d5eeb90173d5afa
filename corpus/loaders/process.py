"""Run an external converter (Tesseract, LibreOffice) bounded in time, its whole process group killed.

Converters start children of their own (soffice starts soffice.bin), so the command runs in a new
process group, and that group is killed when time runs out and again when the command ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping


def run_bounded(
    command: list[str], *, timeout: float, env: Mapping[str, str], data: bytes | None = None, merge_stderr: bool = False
) -> tuple[int, bytes, bytes]:
    """Run ``command`` with ``data`` on stdin; return (exit code, stdout, stderr).

    Raises:
        subprocess.TimeoutExpired: ``timeout`` seconds passed; the process group has been killed.
    """
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        env=dict(env),
        start_new_session=True,
    )
    try:
        out, err = process.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        process.communicate()
        raise
    finally:
        _kill_group(process.pid)  # whatever is left of the group (soffice.bin outliving its launcher)
    return process.returncode, out, err or b""


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
