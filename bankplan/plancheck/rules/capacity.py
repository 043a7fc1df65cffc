"""The capacity family: targets the branch's people can carry. The customers the client
managers would serve once this year's new customers are won stay within what that many
managers can serve (head office's customers per client manager)."""

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document
from bankplan.lib import figures

from ..config import CAPACITY_KPIS, CUSTOMERS_PER_MANAGER, DEFAULT_CUSTOMERS_PER_MANAGER
from ..engine import Flag, Settings, Severity, rule
from .reading import kpi_figures, number, rows, value

PORTFOLIOS = "portfolios"


def new_customers(document: Document, counted: frozenset[str]) -> Decimal:
    """The customers this year's targets add: a flow's target, a balance's growth; of the
    KPIs ``counted`` (by code), or of every KPI counted in customers."""
    added = Decimal(0)
    for code, found in kpi_figures(document).items():
        if found.kpi.measure != "customers" or found.target is None:
            continue
        if counted and code not in counted:
            continue
        if found.kpi.is_balance:
            added += max(found.target - found.last, Decimal(0)) if found.last is not None else 0
        else:
            added += found.target
    return added


@rule(
    "CAP-001",
    Severity.WARNS,
    "staffing",
    title=gettext_lazy("New customers stay within the client managers' capacity"),
)
def within_capacity(document: Document, settings: Settings) -> Iterator[Flag]:
    portfolios = rows(document, "staffing", PORTFOLIOS)
    added = new_customers(document, settings.threshold(CAPACITY_KPIS, frozenset()))
    if not portfolios or not added:
        return  # no portfolios yet: the section's own rule asks for them
    per_manager = int(settings.threshold(CUSTOMERS_PER_MANAGER, DEFAULT_CUSTOMERS_PER_MANAGER))
    today = sum((number(value(p, "customers")) or Decimal(0) for p in portfolios), Decimal(0))
    capacity = len(portfolios) * per_manager
    if today + added > capacity:
        yield Flag(
            _(
                "The client managers would serve %(load)s customers (%(today)s today and "
                "%(added)s new), more than %(managers)s managers can at %(per)s each "
                "(%(capacity)s). Add client managers or lower the new-customer targets."
            )
            % {
                "load": figures.count(today + added),
                "today": figures.count(today),
                "added": figures.count(added),
                "managers": len(portfolios),
                "per": figures.count(per_manager),
                "capacity": figures.count(capacity),
            },
            anchor=PORTFOLIOS,
        )
