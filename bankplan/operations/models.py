from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A task worker's latest sign of life. An idle worker touches no task row, so it
    reports here on its own; the health endpoint reads the newest report."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")
        ordering = ["-seen_at"]
        indexes = [
            # Serves the health check: is any worker's report recent?
            models.Index(fields=["seen_at"], name="heartbeat_seen_idx"),
        ]

    def __str__(self):
        return f"{self.host}:{self.pid}"


class RenderSlot(models.Model):
    """A live PDF render in progress, one row per user: a user's second download while
    the first renders is turned away instead of taking a second render worker. A row, not
    a cache key, because the web processes share the database and not their caches; held
    outside any transaction (a SQLite write lock must not last a render), and taken over
    once older than ``expires_at`` (a process killed mid-render never deletes its row)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("user")
    )
    token = models.UUIDField(_("holder"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("PDF render in progress")
        verbose_name_plural = _("PDF renders in progress")

    def __str__(self):
        return str(self.user)
