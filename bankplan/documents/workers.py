"""PDF rendering in worker processes, on pebble's process pool.

A render runs in a process of its own, not a thread, because only a process can be
stopped: a render that overruns its time limit (WeasyPrint has been known to loop on odd
layouts) is killed and its worker replaced, instead of holding a CPU until it ends. A
crash in the native libraries (Pango, HarfBuzz) also stays out of the calling process.

The pool starts on first use, with ``size`` workers per calling process (a web process
or a task worker), and keeps them: a warm worker has its fonts loaded, so only the first
PDF pays for the start-up.
"""

import multiprocessing
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from pebble import ProcessExpired, ProcessPool

# "spawn": a fresh interpreter, never a fork of a web process with its threads and
# database connections.
_context = multiprocessing.get_context("spawn")


class RenderTimeout(Exception):
    pass


class RenderFailed(Exception):
    pass


def _start() -> None:
    import django

    django.setup()


def _render(html: str) -> bytes:
    from .rendering import html_to_pdf

    return html_to_pdf(html)


class WorkerPool:
    def __init__(self, size: int):
        self.size = size
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()

    def _running_pool(self) -> ProcessPool:
        with self._lock:
            if self._pool is None or not self._pool.active:
                self._pool = ProcessPool(
                    max_workers=self.size, initializer=_start, context=_context
                )
            return self._pool

    def render(self, html: str, timeout: float) -> bytes:
        """The PDF of ``html``; RenderTimeout once ``timeout`` seconds have passed, the
        wait for a free worker included; RenderFailed if WeasyPrint raised or the worker
        died."""
        deadline = time.monotonic() + timeout
        try:
            return self._render_once(html, deadline)
        except BrokenProcessPool:
            # pebble gives up on a pool whose workers died while a task waited for one;
            # the render gets one more try, on a new pool.
            try:
                return self._render_once(html, deadline)
            except BrokenProcessPool as error:
                raise RenderFailed(f"no rendering process could start ({error})") from error

    def _render_once(self, html: str, deadline: float) -> bytes:
        left = max(deadline - time.monotonic(), 0)
        future = self._running_pool().schedule(_render, args=(html,), timeout=left)
        try:
            return future.result(timeout=left)
        except FutureTimeout as error:
            future.cancel()  # still queued: dropped; running: its worker is killed
            raise RenderTimeout from error
        except BrokenProcessPool:
            raise
        except ProcessExpired as error:
            raise RenderFailed(f"the rendering process died ({error})") from error
        except Exception as error:
            raise RenderFailed(f"{type(error).__name__}: {error}") from error

    def stop(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join()
                self._pool = None
