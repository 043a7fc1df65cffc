"""Plans counted by the roll-ups without submitting them: the figures a submitted version
would have written (headoffice.models.KpiFigure)."""

from decimal import Decimal

from bankplan.headoffice.models import KpiFigure
from bankplan.plans.models import Plan


def counted(plan, status, kpis, figures):
    """The plan as if its latest version were submitted with ``figures``:
    KPI code -> (target, last year's actual)."""
    Plan.objects.filter(pk=plan.pk).update(status=status)
    deposits = figures["deposits"]
    KpiFigure.objects.bulk_create(
        KpiFigure(
            plan=plan,
            kpi=kpis[code],
            target=Decimal(target),
            last_actual=Decimal(actual),
            base_target=Decimal(deposits[0]) if kpis[code].base_id else None,
            base_last_actual=Decimal(deposits[1]) if kpis[code].base_id else None,
        )
        for code, (target, actual) in figures.items()
    )
