"""Concurrent benchmark clients shared by the service benchmarks (bench/scenarios/server-load/scenario.py for
`agent serve`, bench/scenarios/peers/opencode_serve.py for `opencode serve`); standard library only."""

from __future__ import annotations

import threading
import time
from typing import Callable, Sequence, TypeVar

S = TypeVar("S")


def run_clients(sessions: Sequence[S], per_session: int, work: Callable[[S], object],
                expected: tuple[type[BaseException], ...], failure: type[Exception]) -> tuple[list, float]:
    """Runs `work(session)` per_session times in one thread per session, all threads released together.

    Returns the samples (in completion order) and the wall time from the release to the last thread's end. An error of
    one of the `expected` types stops that session's client; when any client failed, raises `failure` naming how many
    failed and the first error."""
    samples: list = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions) + 1)

    def client(session: S) -> None:
        barrier.wait()
        try:
            for _ in range(per_session):
                sample = work(session)
                with lock:
                    samples.append(sample)
        except expected as error:
            with lock:
                errors.append(str(error))

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        raise failure(f"{len(errors)} client(s) failed; first: {errors[0]}")
    return samples, wall
