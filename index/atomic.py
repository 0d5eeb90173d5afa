"""Write an index directory beside its target and swap it in, so a crash never leaves half an index.

Layout around a target ``indexes/main``::

    indexes/.main.tmp-<pid>-<token>/   a build in progress (removed when its process is dead)
    indexes/.main.old-<pid>-<token>/   the previous index during the swap (deleted right after)
    indexes/main/                      the index readers load

The swap is two renames (POSIX cannot rename onto a non-empty directory). A crash between
them leaves only the ``.old-`` directory; :func:`readable_dir` then points readers at it, and
the next :func:`publish` cleans it up.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from corpus.errors import IndexStateError
from index.manifest import MANIFEST


def staging_dir(target: Path) -> Path:
    """Create an empty directory next to ``target`` to build into, after removing dead builds' ones.

    Raises:
        IndexStateError: ``target`` exists but is not an index directory (it is never overwritten).
    """
    target = target.absolute()
    if target.exists() and not (target / MANIFEST).is_file() and any(target.iterdir()):
        raise IndexStateError(f"refusing to replace {target}: it exists and is not an index directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.tmp-"
    for stale in target.parent.glob(f"{prefix}*"):
        if not _alive(stale.name[len(prefix) :].split("-")[0]):
            shutil.rmtree(stale, ignore_errors=True)
    staging = target.parent / f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    return staging


def publish(staging: Path, target: Path) -> None:
    """Make ``staging`` the index at ``target``; the previous index is deleted once replaced."""
    target = target.absolute()
    _fsync_tree(staging)
    backup = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    if target.exists():
        os.rename(target, backup)
    os.rename(staging, target)
    _fsync_dir(target.parent)
    for old in target.parent.glob(f".{target.name}.old-*"):
        shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    """Remove a staging directory after a failed build."""
    shutil.rmtree(staging, ignore_errors=True)


def readable_dir(target: Path) -> Path:
    """The directory to load for ``target``: itself, or the previous index if a swap was cut short."""
    if target.exists():
        return target
    backups = sorted(target.absolute().parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)
    return next((b for b in reversed(backups) if (b / MANIFEST).is_file()), target)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(directory: Path) -> None:
    for f in directory.rglob("*"):
        if f.is_file():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
