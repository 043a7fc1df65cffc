"""The bank's official figures for last year, imported by head office from its core and
BI systems: kept apart from what a branch typed in its plan's background section."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Kpi


class ImportState(models.TextChoices):
    STAGED = "staged", _("Previewed, waiting for confirmation")
    APPLIED = "applied", _("Imported")


class ActualsImport(models.Model):
    """One upload of official actuals for a cycle. Previewed, it is staged: the checked
    figures wait in ``staged`` until confirmed, so that the confirmation writes exactly
    what was previewed; applied, it is the record of what was written."""

    State = ImportState

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="actuals_imports"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.STAGED
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file checksum (SHA-256)"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # What the preview was checked against: the cycle's latest import then (None: the
    # first) and a fingerprint of the KPI catalogue and the branches' codes. A change to
    # either refuses the confirmation.
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("previous import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    basis = models.CharField(_("catalogue and branches checked"), max_length=64)
    branches = models.PositiveIntegerField(_("branch rows"), default=0)
    added = models.PositiveIntegerField(_("new figures"), default=0)
    changed = models.PositiveIntegerField(_("changed figures"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged figures"), default=0)
    # While staged: {"figures": [[branch id, KPI id, figure as text], ...] of the new and
    # changed figures, "changes": [[branch code, name, KPI id, old, new], ...] the first
    # changes the preview lists}; emptied once applied (the figures are then the record).
    staged = models.JSONField(_("figures waiting"), default=dict, blank=True)

    class Meta:
        verbose_name = _("actuals import")
        verbose_name_plural = _("actuals imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ImportState.values), name="actuals_import_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state="staged", applied_at__isnull=True)
                | Q(state="applied", applied_at__isnull=False),
                name="actuals_import_applied_when_applied",
            ),
        ]
        indexes = [
            # Serves "the cycle's latest import" (the page, the confirmation's check and
            # the roll-ups' cache stamp) and the person's staged upload.
            models.Index(fields=["cycle", "state", "applied_at"], name="actuals_import_latest_idx"),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.file_name}"


class OfficialActual(models.Model):
    """Last year's official figure of one branch for one KPI of the cycle being planned
    (the year before the plan year), in the KPI's unit (万元 for amounts)."""

    # Neither key needs an index of its own: the unique constraint and the index below
    # start with them.
    kpi = models.ForeignKey(
        Kpi,
        verbose_name=_("KPI"),
        on_delete=models.CASCADE,
        related_name="official_actuals",
        db_index=False,
    )
    branch = models.ForeignKey(
        Unit,
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        related_name="official_actuals",
        limit_choices_to={"kind": Unit.Kind.BRANCH},
        db_index=False,
    )
    actual = models.DecimalField(_("official actual"), max_digits=16, decimal_places=2)
    imported_by = models.ForeignKey(
        ActualsImport,
        verbose_name=_("import"),
        # An import's record goes only with its cycle (and so its figures).
        on_delete=models.RESTRICT,
        related_name="figures",
    )

    class Meta:
        verbose_name = _("official actual")
        verbose_name_plural = _("official actuals")
        constraints = [
            # Its index serves the roll-ups' and the import's look-ups by KPI (and branch).
            models.UniqueConstraint(
                fields=["kpi", "branch"], name="one_official_actual_per_kpi_and_branch"
            ),
            models.CheckConstraint(condition=Q(actual__gte=0), name="official_actual_not_negative"),
        ]
        indexes = [
            # Serves a plan's background section: one branch's figures.
            models.Index(fields=["branch", "kpi"], name="official_actual_branch_idx"),
        ]

    def __str__(self):
        return f"{self.branch.code} · {self.kpi.code}: {self.actual}"
