"""django-tasks-db's worker, reporting in while it runs (see WorkerHeartbeat)."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from bankplan.operations.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(worker_id: str, started_at) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname(), "pid": os.getpid(), "seen_at": timezone.now()},
        create_defaults={
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def keep_beating(worker_id: str, stop: threading.Event) -> None:
    """Report every WORKER_HEARTBEAT_SECONDS / 3 from a thread of its own, so a long
    render does not make the worker look dead."""
    started_at = timezone.now()
    while True:
        try:
            beat(worker_id, started_at)
        except Exception:  # a database hiccup must not end the worker; the next beat retries
            logger.exception("worker heartbeat failed")
        finally:
            connection.close()  # this thread's own connection, not the worker's
        if stop.wait(settings.WORKER_HEARTBEAT_SECONDS / 3):
            return


class Command(db_worker.Command):
    def handle(self, *args, worker_id, reload, **options):
        # With --reload the parent process only watches files; its child runs the tasks.
        if not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            stop = threading.Event()
            threading.Thread(
                target=keep_beating, args=(worker_id, stop), daemon=True, name="heartbeat"
            ).start()
        super().handle(*args, worker_id=worker_id, reload=reload, **options)
