"""The worker processes that render PDFs: a render that overruns is stopped for good."""

import os
import signal
import threading

import pytest

from bankplan.documents.workers import RenderFailed, RenderTimeout, WorkerPool

HTML = "<html lang=zh-hans><body><p>丰河县支行营销计划</p></body></html>"


@pytest.fixture
def pool():
    pool = WorkerPool(size=1)
    yield pool
    pool.stop()


def worker_pids(pool) -> set[int]:
    # pebble keeps its worker processes by pid; no public accessor exists.
    return set(pool._pool._pool_manager.worker_manager.workers)


def test_a_worker_renders_and_is_kept_warm(pool):
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")
    first = worker_pids(pool)
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")
    assert worker_pids(pool) == first


def test_an_overrunning_render_is_killed_and_its_worker_replaced(pool):
    pool.render(HTML, timeout=60)
    before = worker_pids(pool)
    big = "<html><body>" + "<p>审批快、贴近农户。</p>" * 20_000 + "</body></html>"
    with pytest.raises(RenderTimeout):
        pool.render(big, timeout=0.5)
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")  # a fresh worker
    assert not before & worker_pids(pool)


def test_waiting_for_a_busy_worker_counts_against_the_time_limit(pool):
    pool.render(HTML, timeout=60)
    # Long enough to hold the worker well past 0.3 s, short enough to finish quickly on a
    # busy machine (5,000 paragraphs once took over a minute while other tests ran).
    big = "<html><body>" + "<p>一季度开门红。</p>" * 1_500 + "</body></html>"
    busy = threading.Thread(target=pool.render, args=(big, 60))
    busy.start()
    try:
        with pytest.raises(RenderTimeout):  # the only worker is taken: no second one starts
            pool.render(HTML, timeout=0.3)
    finally:
        busy.join()
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")


def test_a_failed_render_is_reported_and_the_pool_goes_on(pool):
    with pytest.raises(RenderFailed, match="TypeError"):
        pool.render(None, timeout=60)  # WeasyPrint raises inside the worker
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")


def test_a_worker_that_died_is_replaced(pool):
    pool.render(HTML, timeout=60)
    for pid in worker_pids(pool):
        os.kill(pid, signal.SIGKILL)
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")
