"""A cycle's plan check configuration as the options of ``engine.check``, and the names
and defaults of the thresholds rules read::

    findings = check(document, **options_for(plan.cycle))

    # in a rule
    per_manager = settings.threshold(CUSTOMERS_PER_MANAGER, DEFAULT_CUSTOMERS_PER_MANAGER)
"""

from decimal import Decimal
from types import MappingProxyType

from .models import DEFAULT_CUSTOMERS_PER_MANAGER, DEFAULT_TOLERANCE, CheckConfig, RuleSetting

__all__ = [
    "CAPACITY_KPIS",
    "CUSTOMERS_PER_MANAGER",
    "DEFAULT_CUSTOMERS_PER_MANAGER",
    "DEFAULT_GROWTH_BANDS",
    "DEFAULT_TOLERANCE",
    "GROWTH_BANDS",
    "TOLERANCE",
    "options_for",
]

# How many customers one client manager can serve (int).
CUSTOMERS_PER_MANAGER = "customers_per_manager"
# How far, in %, a KPI's product targets may differ from its business target (Decimal).
TOLERANCE = "tolerance"
# KPI code -> (low, high): growth in % over last year's actual that needs no reason.
GROWTH_BANDS = "growth_bands"
# The codes of the KPIs whose new customers client managers take on (a frozenset);
# empty: every KPI counted in customers.
CAPACITY_KPIS = "capacity_kpis"
# No band for any KPI; read only, as every rule shares it.
DEFAULT_GROWTH_BANDS: MappingProxyType[str, tuple[Decimal, Decimal]] = MappingProxyType({})


def options_for(cycle) -> dict:
    """``engine.check``'s ``overrides`` and ``thresholds`` for plans of ``cycle``; empty
    for a cycle head office has not configured (rules then use their defaults).

    Three queries: the configuration joined to its growth bands and their KPIs (a row per
    band, or one row with none), its rule settings and its capacity KPIs; one for a cycle
    without one.
    """
    rows = list(
        CheckConfig.objects.filter(cycle=cycle)
        .order_by("growth_bands__kpi__position", "growth_bands__kpi__pk")
        .values_list(
            "pk",
            "customers_per_manager",
            "tolerance",
            "growth_bands__kpi__code",
            "growth_bands__low",
            "growth_bands__high",
        )
    )
    if not rows:
        return {"overrides": {}, "thresholds": {}}
    config, customers_per_manager, tolerance = rows[0][:3]
    bands = {code: (low, high) for *_, code, low, high in rows if code is not None}
    severities = RuleSetting.objects.filter(config=config).values_list("code", "severity")
    capacity = CheckConfig.capacity_kpis.through.objects.filter(checkconfig=config)
    return {
        "overrides": dict(severities),
        "thresholds": {
            CUSTOMERS_PER_MANAGER: customers_per_manager,
            TOLERANCE: tolerance,
            GROWTH_BANDS: bands,
            CAPACITY_KPIS: frozenset(capacity.values_list("kpi__code", flat=True)),
        },
    }
