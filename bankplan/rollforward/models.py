"""What rolling plans forward leaves behind: the notice of what a rolled plan could not
carry over, and head office's runs over a region or the whole bank."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Plan


class RolledPlan(models.Model):
    """A plan started from its branch's approved plan of an earlier cycle, and what of it
    no longer fitted the new cycle (a KPI the catalogue dropped, a choice that is gone):
    listed for the author until they dismiss the notice."""

    plan = models.OneToOneField(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="rolled_from"
    )
    source = models.ForeignKey(
        Plan,
        verbose_name=_("started from"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # One entry per thing dropped, as plain data read in the reader's language (see
    # ``carry.Dropped``): section and table keys, the row's and the value's names in
    # every language.
    dropped = models.JSONField(_("not carried over"), default=list, blank=True)
    dismissed_at = models.DateTimeField(_("notice dismissed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rolled-forward plan")
        verbose_name_plural = _("rolled-forward plans")

    def __str__(self):
        return str(self.plan)


class RunState(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Run(models.Model):
    """Head office rolling forward every branch of a region (or of the bank) that has an
    approved plan in an earlier cycle and none yet in ``cycle``, in the background."""

    State = RunState

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,  # the whole bank
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=RunState.choices, default=RunState.RUNNING
    )
    total = models.PositiveIntegerField(_("branches"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("roll-forward run")
        verbose_name_plural = _("roll-forward runs")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=RunState.values), name="rollforward_run_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.unit or _('whole bank')}"


class Outcome(models.TextChoices):
    CREATED = "created", _("created")
    SKIPPED = "skipped", _("skipped")
    FAILED = "failed", _("failed")


class Reason(models.TextChoices):
    """Why a branch was skipped."""

    STARTED = "started", _("already has a plan in this cycle")
    NOTHING = "nothing", _("no approved plan in an earlier cycle")


class RunBranch(models.Model):
    """What a run did for one branch."""

    Outcome = Outcome
    Reason = Reason

    run = models.ForeignKey(
        Run, verbose_name=_("run"), on_delete=models.CASCADE, related_name="branches"
    )
    branch = models.ForeignKey(
        Unit, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, blank=True)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("branch of a run")
        verbose_name_plural = _("branches of a run")
        ordering = ["pk"]
        constraints = [
            # A run that is started again (a worker killed) does each branch once.
            models.UniqueConstraint(fields=["run", "branch"], name="rollforward_branch_once"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values),
                name="rollforward_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=["", *Reason.values]),
                name="rollforward_reason_valid",
            ),
        ]

    def __str__(self):
        return f"{self.branch} · {self.get_outcome_display()}"
