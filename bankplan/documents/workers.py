"""PDF rendering in worker processes.

A render runs in a process of its own, not a thread of the web server, because only a
process can be stopped: a render that overruns PDF_TIMEOUT (WeasyPrint has been known to
loop on odd layouts) is killed and its worker replaced, instead of holding a CPU until it
ends. A crash in the native libraries (Pango, HarfBuzz) also stays out of the web process.

Workers start on first use, at most PDF_WORKERS of them per web process, and are kept:
a warm worker has its fonts loaded, so only the first PDF pays for the start-up.
"""

import multiprocessing
import queue
import threading
import time

# "spawn": a fresh interpreter, never a fork of a web process with its threads and
# database connections.
_context = multiprocessing.get_context("spawn")


class RenderTimeout(Exception):
    pass


class RenderFailed(Exception):
    pass


def _serve(connection) -> None:
    """The worker's loop: HTML in, (True, PDF bytes) or (False, the error) out."""
    import django

    django.setup()
    from .rendering import html_to_pdf

    while True:
        try:
            html = connection.recv()
        except EOFError:  # the web process has gone
            return
        try:
            connection.send((True, html_to_pdf(html)))
        except Exception as error:  # reported to the web process, which logs it
            connection.send((False, f"{type(error).__name__}: {error}"))


class Worker:
    def __init__(self):
        self.connection, child = _context.Pipe()
        self.process = _context.Process(target=_serve, args=(child,), daemon=True, name="pdf")
        self.process.start()
        child.close()

    def render(self, html: str, seconds: float) -> bytes:
        self.connection.send(html)
        if not self.connection.poll(max(seconds, 0)):
            raise RenderTimeout
        ok, result = self.connection.recv()  # EOFError if the worker died
        if not ok:
            raise RenderFailed(result)
        return result

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


class WorkerPool:
    def __init__(self, size: int):
        self.size = size
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()  # the warmest first
        self._started = 0
        self._lock = threading.Lock()

    def render(self, html: str, timeout: float) -> bytes:
        """The PDF of ``html``, or RenderTimeout once ``timeout`` seconds (waiting for a
        free worker included) have passed; RenderFailed if WeasyPrint raised."""
        deadline = time.monotonic() + timeout
        worker = self._take(deadline)
        try:
            pdf = worker.render(html, deadline - time.monotonic())
        except RenderFailed:
            self._idle.put(worker)  # it reported the error and is ready for the next
            raise
        except BaseException:
            self._discard(worker)  # overran, died, or was interrupted mid-render
            raise
        self._idle.put(worker)
        return pdf

    def _take(self, deadline: float) -> Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._started < self.size:
                worker = Worker()
                self._started += 1
                return worker
        try:
            return self._idle.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            raise RenderTimeout from None

    def _discard(self, worker: Worker) -> None:
        worker.stop()
        with self._lock:
            self._started -= 1
