"""What head office adds to a cycle: its targets cascaded down the tree, deadline
extensions, the figures the roll-ups read, and packs of PDFs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Kpi, Plan, Status


class Allocation(models.Model):
    """The target a unit is given for one KPI by the level above (指标分解). Head office's
    own target is the allocation of the head-office unit."""

    kpi = models.ForeignKey(
        Kpi, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="allocations"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="allocations"
    )
    target = models.DecimalField(_("allocated target"), max_digits=16, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("allocated target")
        verbose_name_plural = _("allocated targets")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "unit"], name="one_allocation_per_kpi_and_unit"),
        ]
        indexes = [models.Index(fields=["unit", "kpi"], name="allocation_unit_kpi_idx")]

    def __str__(self):
        return f"{self.unit.name} · {self.kpi}"


class DeadlineExtension(models.Model):
    """A later deadline granted to a branch, or to every branch below a unit. The latest
    grant that covers a branch is its deadline; lateness and reminders follow it."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="extensions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="extensions"
    )
    deadline = models.DateField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["cycle", "unit"], name="extension_cycle_unit_idx")]

    def __str__(self):
        return f"{self.unit.name} · {self.deadline}"


class KpiFigure(models.Model):
    """One KPI's figures in a plan's latest submitted version, written when the version is
    made: the roll-ups add these up in the database instead of reading every snapshot.
    ``base_*`` hold the plan's figures of the KPI's base, for weighted ratios."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="kpi_figures")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="+")
    target = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    last_actual = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    base_target = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    base_last_actual = models.DecimalField(max_digits=16, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("submitted KPI figure")
        verbose_name_plural = _("submitted KPI figures")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kpi"], name="one_figure_per_plan_and_kpi"),
        ]

    def __str__(self):
        return f"{self.plan_id} · {self.kpi_id}"


class PackFormat(models.TextChoices):
    ZIP = "zip", _("ZIP of PDF files")
    BOOK = "book", _("one PDF book with a contents page")


class PackState(models.TextChoices):
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Pack(models.Model):
    """The PDFs of many plans in one download, built in the background."""

    Format = PackFormat
    State = PackState

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: the whole bank."),
    )
    status = models.CharField(
        _("plan status"), max_length=20, choices=Status.choices, default=Status.APPROVED
    )
    search = models.CharField(_("search"), max_length=100, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=PackFormat.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=PackState.choices, default=PackState.RUNNING
    )
    total = models.PositiveIntegerField(_("plans"), default=0)
    done = models.PositiveIntegerField(_("plans done"), default=0)
    file = models.FileField(_("file"), upload_to="packs/%Y/", blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF pack")
        verbose_name_plural = _("PDF packs")
        ordering = ["-requested_at"]
        constraints = [
            # A bank-wide book would run to hundreds of thousands of pages.
            models.CheckConstraint(
                condition=~Q(format="book", unit__isnull=True), name="pack_book_needs_unit"
            ),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.unit or _('whole bank')} · {self.get_format_display()}"


class PackItemState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PackItem(models.Model):
    """One plan's PDF in a pack: the stored version PDF it reuses or renders."""

    State = PackItemState

    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="items")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey("reviews.Version", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=PackItemState.choices, default="pending")
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("plan in a pack")
        verbose_name_plural = _("plans in a pack")
        ordering = ["pk"]
        indexes = [models.Index(fields=["pack", "state"], name="packitem_pack_state_idx")]

    def __str__(self):
        return f"{self.pack_id} · {self.plan_id}"
