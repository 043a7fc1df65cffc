"""The demo bank's plan check settings, made by ``load_demo`` once the demo is built."""

from decimal import Decimal

from bankplan.plans.models import Cycle, Kpi

from .engine import Severity
from .models import CheckConfig, GrowthBand, RuleSetting

D = Decimal

# Growth over last year's actual, in %, a demo plan may show without a reason. Balances
# grow slowly; flows more; customers and cards are won fast from a small base; a ratio
# moves far in relative terms (an NPL ratio of 1.2 % planned at 1.0 % is -17 %).
BALANCE_BAND = (D(0), D(25))
FLOW_BAND = (D(0), D(30))
COUNT_BAND = (D(0), D(40))
RATIO_BAND = (D(-50), D(50))
CAPACITY_KPIS = ("customers_new", "customers_affluent")


def band_for(kpi: Kpi) -> tuple[Decimal, Decimal]:
    if kpi.measure == Kpi.Measure.PERCENT:
        return RATIO_BAND
    if kpi.measure in (Kpi.Measure.CUSTOMERS, Kpi.Measure.CARDS):
        return COUNT_BAND
    return BALANCE_BAND if kpi.is_balance else FLOW_BAND


def configure(cycle: Cycle) -> CheckConfig:
    """Settings for ``cycle`` as head office might make them: the default thresholds, a
    growth band for every KPI, and one rule made milder (SWOT-003: a strategy citing the
    wrong kinds of item is only noted). Running it again changes nothing."""
    config, _created = CheckConfig.objects.update_or_create(
        cycle=cycle, defaults={"customers_per_manager": 400, "tolerance": D("5.0")}
    )
    for kpi in cycle.kpis.all():
        low, high = band_for(kpi)
        GrowthBand.objects.update_or_create(
            config=config, kpi=kpi, defaults={"low": low, "high": high}
        )
    # New active customers and the affluent customers gained; not mobile-banking sign-ups.
    config.capacity_kpis.set(cycle.kpis.filter(code__in=CAPACITY_KPIS))
    RuleSetting.objects.update_or_create(
        config=config, code="SWOT-003", defaults={"severity": Severity.INFORMS}
    )
    return config
