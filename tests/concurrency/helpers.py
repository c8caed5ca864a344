"""Real-database races: every worker is a thread with its own connection."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connections

# A PostgreSQL server allows 100 connections by default: races with more workers
# than this keep at most this many connections open at once (the rest queue).
MAX_CONNECTIONS = 80


def run_concurrently(
    fn: Callable[[int], Any], *, workers: int, timeout: float = 60, max_connections: int = 0
) -> list:
    """Run fn(i) for i in range(workers) at the same moment, each on a fresh
    database connection. Returns each worker's result or the exception it raised.
    With more workers than `max_connections` (default MAX_CONNECTIONS), all
    start together and at most that many hold a connection at once."""
    limit = max_connections or MAX_CONNECTIONS
    barrier = threading.Barrier(workers)
    slots = threading.BoundedSemaphore(min(workers, limit))
    results: list[Any] = [None] * workers

    def worker(index: int) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=timeout)
            with slots:
                try:
                    results[index] = fn(index)
                finally:
                    connections.close_all()
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
