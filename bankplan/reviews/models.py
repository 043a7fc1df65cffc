"""What review leaves behind: frozen versions, the audit trail, comment threads."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankplan.plans.models import Plan, Status
from bankplan.plans.sections.base import LONG_TEXT
from bankplan.plans.sections.registry import SECTIONS


class Version(models.Model):
    """One submission of a plan, frozen as plain data with its PDF."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"), editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["plan", "number"]
        constraints = [
            # Two submissions racing for the same number: the second one fails here.
            models.UniqueConstraint(fields=["plan", "number"], name="unique_version_number"),
        ]

    def __str__(self):
        return _("Version %(number)d") % {"number": self.number}


class PdfKind(models.TextChoices):
    SUBMITTED = "submitted", _("as submitted")
    APPROVED = "approved", _("as approved")


class PdfState(models.TextChoices):
    PENDING = "pending", _("being prepared")
    FAILED = "failed", _("failed")
    READY = "ready", _("ready")


class VersionPdf(models.Model):
    """A version's PDF: one as submitted, and one with the approval block once approved.
    Rendered from the version's snapshot by a background task (reviews/tasks.py); the
    row says how far that has got, so pages can tell the reader."""

    Kind = PdfKind
    State = PdfState

    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="pdfs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    file = models.FileField(_("file"), upload_to="versions/%Y/", blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("version PDF")
        verbose_name_plural = _("version PDFs")
        # The approved document first: it is the one a branch files.
        ordering = ["version", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="one_pdf_per_version_kind"),
            models.CheckConstraint(
                condition=models.Q(kind__in=PdfKind.values), name="version_pdf_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=PdfState.values), name="version_pdf_state_valid"
            ),
        ]
        indexes = [
            # Serves the daily re-enqueue of PDFs that are not ready.
            models.Index(fields=["state", "requested_at"], name="version_pdf_state_idx"),
        ]

    def __str__(self):
        return f"{self.version.plan} · {self.version} · {self.get_kind_display()}"

    @property
    def is_ready(self) -> bool:
        return self.state == PdfState.READY

    @property
    def will_retry(self) -> bool:
        return self.state == PdfState.PENDING and self.attempts > 0


class AuditAction(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for revision")
    APPROVED = "approved", _("approved")
    REOPENED = "reopened", _("reopened")


class AuditEntry(models.Model):
    """One step of a plan's history. Written once, never changed or deleted."""

    Action = AuditAction

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="audit_entries"
    )
    version = models.ForeignKey(
        Version,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="audit_entries",
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # Shown with the plan and mailed: as long as a section's narrative, no longer.
    reason = models.TextField(_("reason"), max_length=LONG_TEXT, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values),
                name="audit_action_valid",
            ),
        ]
        indexes = [
            # Serves each plan's timeline, read in order.
            models.Index(fields=["plan", "at"], name="audit_plan_at_idx"),
        ]

    def __str__(self):
        return f"{self.plan} · {self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("History entries cannot be changed."), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("History entries cannot be deleted."), code="append_only")


SECTION_CHOICES = [(section.key, section.title) for section in SECTIONS]


class Thread(models.Model):
    """A reviewer's remark on one section (or one row of it) and the replies to it."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="threads"
    )
    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="threads"
    )
    section = models.CharField(_("section"), max_length=30, choices=SECTION_CHOICES)
    row_key = models.CharField(_("row"), max_length=60, blank=True)
    row_label = models.CharField(_("row"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment thread")
        verbose_name_plural = _("comment threads")
        ordering = ["created_at", "pk"]
        indexes = [
            # Serves the threads shown beside each section of a plan.
            models.Index(fields=["plan", "section"], name="thread_plan_section_idx"),
        ]

    def __str__(self):
        return f"{self.plan} · {self.get_section_display()}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class Comment(models.Model):
    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=LONG_TEXT)  # shown on every page
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:40]
