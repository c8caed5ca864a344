"""Real-database races: every worker is a thread with its own connection."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connections


def run_concurrently(fn: Callable[[int], Any], *, workers: int, timeout: float = 60) -> list:
    """Run fn(i) for i in range(workers) at the same moment, each on a fresh
    database connection. Returns each worker's result or the exception it raised."""
    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * workers

    def worker(index: int) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=timeout)
            results[index] = fn(index)
        except BaseException as exc:  # collected for the test to inspect
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError("a worker did not finish in time")
    return results
