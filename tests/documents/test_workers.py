"""The worker processes that render PDFs: a render that overruns is stopped for good."""

import threading
import time

import pytest

from bankplan.documents.workers import RenderFailed, RenderTimeout, WorkerPool

HTML = "<html lang=zh-hans><body><p>丰河县支行营销计划</p></body></html>"


@pytest.fixture
def pool():
    pool = WorkerPool(size=1)
    yield pool
    while not pool._idle.empty():
        pool._idle.get().stop()


def test_a_worker_renders_and_is_kept_warm(pool):
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")
    first = pool._idle.queue[-1]
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")
    assert pool._idle.queue[-1] is first and first.process.is_alive()


def test_an_overrunning_render_is_killed_and_its_worker_replaced(pool):
    pool.render(HTML, timeout=60)
    worker = pool._idle.queue[-1]
    big = "<html><body>" + "<p>审批快、贴近农户。</p>" * 20_000 + "</body></html>"
    with pytest.raises(RenderTimeout):
        pool.render(big, timeout=0.2)
    worker.process.join(5)
    assert not worker.process.is_alive()
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")  # a fresh worker


def test_waiting_for_a_busy_worker_counts_against_the_time_limit(pool):
    pool.render(HTML, timeout=60)
    big = "<html><body>" + "<p>一季度开门红。</p>" * 5_000 + "</body></html>"
    busy = threading.Thread(target=pool.render, args=(big, 60))
    busy.start()
    while not pool._idle.empty():  # until the other render has the worker
        time.sleep(0.01)
    try:
        with pytest.raises(RenderTimeout):  # the only worker is taken: no second one starts
            pool.render(HTML, timeout=0.2)
        assert pool._started == 1
    finally:
        busy.join()


def test_a_failed_render_is_reported_and_its_worker_kept(pool):
    pool.render(HTML, timeout=60)
    worker = pool._idle.queue[-1]
    with pytest.raises(RenderFailed, match="TypeError"):
        pool.render(None, timeout=60)  # WeasyPrint raises inside the worker
    assert pool._idle.queue[-1] is worker and worker.process.is_alive()


def test_a_worker_that_died_is_replaced(pool):
    pool.render(HTML, timeout=60)
    dead = pool._idle.queue[-1]
    dead.process.kill()
    dead.process.join()
    with pytest.raises((EOFError, OSError)):  # what render_plan_pdf turns into RenderError
        pool.render(HTML, timeout=60)
    assert pool._started == 0
    assert pool.render(HTML, timeout=60).startswith(b"%PDF")
