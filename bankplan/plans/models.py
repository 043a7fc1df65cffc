"""Planning cycles, their KPI catalogue and the plans themselves.

The seven sections' own models live in ``sections/``, one module per section.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from bankplan.organisation.models import Unit
from bankplan.organisation.scope import scope_of


def in_reader_language(chinese: str, english: str) -> str:
    """Head office writes in Chinese and may add English; English readers get the
    Chinese where no English was written."""
    if english and not (get_language() or "").startswith("zh"):
        return english
    return chinese


class Cycle(models.Model):
    """One yearly planning round opened by head office, e.g. “2027 年度营销计划”."""

    year = models.PositiveSmallIntegerField(_("plan year"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    opens_on = models.DateField(_("opening date"))
    deadline = models.DateField(_("submission deadline"))
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("A closed cycle takes no more edits or submissions; approved plans are final."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("planning cycle")
        verbose_name_plural = _("planning cycles")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("opens_on")), name="cycle_deadline_after_opening"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.opens_on <= timezone.localdate() and not self.is_closed

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


def current_cycle(cycles: list[Cycle]) -> Cycle | None:
    """Of ``cycles`` (newest first), the latest that has opened, else the latest: the one
    lists and the dashboard show unless another is asked for."""
    today = timezone.localdate()
    return next(
        (cycle for cycle in cycles if cycle.opens_on <= today), cycles[0] if cycles else None
    )


class Measure(models.TextChoices):
    WAN_YUAN = "wan_yuan", _("10k yuan")
    CUSTOMERS = "customers", pgettext_lazy("unit", "customers")
    CARDS = "cards", pgettext_lazy("unit", "cards")
    PERCENT = "percent", _("%")


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("added up (flows and balances)")
    WEIGHTED = "weighted", _("weighted average by a base KPI (ratios)")


class Kpi(models.Model):
    """One line of a cycle's KPI catalogue: every plan of the cycle sets a target for it."""

    Measure = Measure

    Direction = Direction

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="kpis"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    measure = models.CharField(_("unit"), max_length=20, choices=Measure.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    is_balance = models.BooleanField(
        _("year-end balance"),
        default=False,
        help_text=_(
            "A balance (e.g. deposits) is planned as a year-end figure; its quarterly split "
            "shares out the growth over last year's actual instead of the figure itself."
        ),
    )
    aggregation = models.CharField(
        _("roll-up"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_(
            "How branches' figures combine for a region and the bank. A ratio (e.g. the NPL "
            "ratio) is never added up: it is averaged, weighted by its base KPI."
        ),
    )
    base = models.ForeignKey(
        "self",
        verbose_name=_("base KPI"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a weighted ratio: the KPI it is a share of (NPL ratio: total loans)."),
    )
    position = models.PositiveSmallIntegerField(_("display order"), default=0)
    previous_code = models.SlugField(
        _("code in the previous cycle"),
        max_length=40,
        blank=True,
        help_text=_(
            "If this KPI took the place of one the previous cycle called otherwise (e.g. "
            "mobile-banking sign-ups for e-banking sign-ups): that KPI's code. Plans rolled "
            "forward carry its rows and targets over to this one."
        ),
    )

    Aggregation = Aggregation

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPI catalogue")
        ordering = ["cycle", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="unique_kpi_code_per_cycle"),
            models.CheckConstraint(
                condition=Q(measure__in=Measure.values), name="kpi_measure_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="kpi_direction_valid"
            ),
            # A weighted average needs its base; a sum has none.
            models.CheckConstraint(
                condition=Q(aggregation="sum", base__isnull=True)
                | Q(aggregation="weighted", base__isnull=False),
                name="kpi_base_matches_aggregation",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name, self.name_en)

    def clean(self):
        if self.aggregation == Aggregation.WEIGHTED and self.base_id is None:
            raise ValidationError({"base": _("A weighted KPI needs the base it is weighted by.")})
        if self.aggregation == Aggregation.SUM and self.base_id is not None:
            raise ValidationError({"base": _("Only a weighted KPI has a base.")})
        if self.measure == Measure.PERCENT and self.aggregation == Aggregation.SUM:
            raise ValidationError(
                {"aggregation": _("Percentages cannot be added up; weight them by a base KPI.")}
            )
        if self.base_id is not None and (
            self.base_id == self.pk or self.base.cycle_id != self.cycle_id
        ):
            raise ValidationError({"base": _("Choose another KPI of the same cycle.")})


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Plans the user may read: their branch's, those below the units they review,
        or all for head office."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(scope_of(user).branch_filter())


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")


class Plan(models.Model):
    """A branch's marketing plan for one cycle."""

    Status = Status

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="plans"
    )
    branch = models.ForeignKey(
        Unit,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="plans",
        limit_choices_to={"kind": Unit.Kind.BRANCH},
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-cycle__year", "branch__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "branch"], name="one_plan_per_branch_and_cycle"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="plan_status_valid"),
        ]
        indexes = [
            # Serves head office's progress counts: plans of a cycle grouped by status.
            models.Index(fields=["cycle", "status"], name="plan_cycle_status_idx"),
            # Serves the roll-ups' "has any plan of the cycle changed" (headoffice/rollup.py).
            models.Index(fields=["cycle", "updated_at"], name="plan_cycle_changed_idx"),
        ]

    def __str__(self):
        return f"{self.branch.name} · {self.cycle.name}"


def section_choices() -> list[tuple[str, str]]:
    return [(section.key, section.title) for section in registry.SECTIONS]


class SectionNote(models.Model):
    """Head office's word to every branch on one section for one cycle (this year's
    priorities, a new rule), shown to authors above the section's standing guidance."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="notes", verbose_name=_("planning cycle")
    )
    section = models.CharField(_("section"), max_length=20, choices=section_choices)
    text = models.TextField(_("note"))
    text_en = models.TextField(
        _("note in English"), blank=True, help_text=_("Left empty, English readers see the note.")
    )

    class Meta:
        verbose_name = _("head office note")
        verbose_name_plural = _("head office notes")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "section"], name="one_note_per_section"),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.get_section_display()}"

    @property
    def display_text(self) -> str:
        return in_reader_language(self.text, self.text_en)


class GuidancePreference(models.Model):
    """Whether a user keeps a section's guidance panel open. A row is made on the user's
    first visit to the section with no choice yet (the panel opens), which the next visit
    turns into closed; each time the user opens or closes the panel, the row says so
    (``plans/guidance.py``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    section = models.CharField(_("section"), max_length=20, choices=section_choices)
    open = models.BooleanField(_("open"), null=True, blank=True)  # None: no choice yet

    class Meta:
        verbose_name = _("guidance preference")
        verbose_name_plural = _("guidance preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "section"], name="one_guidance_preference"),
        ]

    def __str__(self):
        return f"{self.user} · {self.section}"


# The section models are part of this app's models: importing them here registers them.
from bankplan.plans.sections import registry  # noqa: E402
