"""What the load balancer asks: can this instance serve? No login, no data."""

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from .models import WorkerHeartbeat


def database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def worker_ok() -> bool:
    # Three missed reports in a row: the worker is gone (or every one is stuck).
    since = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=since).exists()


def storage_ok() -> bool:
    name = default_storage.save(f"health/{get_random_string(12)}", ContentFile(b"ok"))
    try:
        return default_storage.open(name).read() == b"ok"
    finally:
        default_storage.delete(name)


CHECKS = {"database": database_ok, "worker": worker_ok, "storage": storage_ok}


def run_checks() -> dict[str, bool]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            results[name] = False
    return results
