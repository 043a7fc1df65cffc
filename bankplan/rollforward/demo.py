"""The demo bank's 2026 cycle: closed, with approved plans to roll forward into 2027.

Made by ``load_demo`` after the 2027 demo (``plans.demo``): each plan is a copy of the
fixture's full plan renamed to its branch, its figures a year earlier (2026's targets are
what the 2027 plan records as last year's), submitted by the branch's manager and
approved by its reviewer through the review services, like the 2027 plans. Then the cycle
is closed, as head office closes a year once its plans are filed.

Two of the branches (澜港滨江支行 R02-01, manager4; 白沙镇支行 R02-02, manager5) have no 2027
plan yet: their managers may start it from 2026's, or head office may roll region R02
forward. 2026's catalogue differs from 2027's the way catalogues do between years: 2027
replaced the e-banking sign-ups KPI by mobile-banking sign-ups (电子银行 → 手机银行, a new
code whose previous code head office named, so plans carry it over), dropped the ETC
sign-ups and added the affluent customers, so a plan rolled forward lists what it could
not carry.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from bankplan.audit import record
from bankplan.organisation.models import Role, Unit, User
from bankplan.plancheck.demo import configure
from bankplan.plans import demo
from bankplan.plans.models import Cycle, Kpi, Plan
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.registry import SECTIONS
from bankplan.plans.services import start_plan
from bankplan.reviews import services as review

YEAR = 2026
# Branches with an approved 2026 plan: the first two have no 2027 plan (see above), the
# others have an approved one.
APPROVED = ("R02-01", "R02-02", "R01-04", "R02-07")
# 2027's codes that 2026 called otherwise, and 2026's KPIs that 2027 no longer has.
RENAMED = {"mobile_banking_new": "ebanking_new"}
DROPPED = {
    "customers_affluent": Kpi(
        code="etc_new",
        name="ETC 新增签约",
        name_en="New ETC users",
        measure=Kpi.Measure.CUSTOMERS,
    )
}
# The year before each figure, as the 2026 plans' texts name it.
YEARS = {"2026": "2025", "2027": "2026"}
D = Decimal


def build() -> None:
    """Everything 2026 adds to the demo built for 2027."""
    later = Cycle.objects.get(year=YEAR + 1)
    cycle = Cycle.objects.create(
        year=YEAR,
        name=f"{YEAR} 年度营销计划",
        opens_on=datetime.date(YEAR - 1, 10, 15),
        deadline=datetime.date(YEAR - 1, 12, 31),
    )
    kpis = catalogue(later, cycle)
    for code, previous in RENAMED.items():
        Kpi.objects.filter(cycle=later, code=code).update(previous_code=previous)
    source = load_plan(Plan.objects.get(cycle=later, branch__code=demo.SOURCE))
    reference = figures(source)
    stories = {entry.code: entry for entry in demo.BRANCHES}
    for code in APPROVED:
        approved_plan(stories[code], cycle, source, kpis, reference)
    configure(cycle)
    admin = User.objects.get(username="admin")
    Cycle.objects.filter(pk=cycle.pk).update(closed_at=timezone.now(), closed_by=admin)
    record.event(
        record.Action.CYCLE_CHANGED, by=admin, subject=str(cycle), detail=_("Cycle closed")
    )


def catalogue(later: Cycle, cycle: Cycle) -> dict[str, Kpi]:
    """2026's KPIs by the code 2027 gives them (a dropped one by the code it gave way to)."""
    made = {}
    for kpi in later.kpis.order_by("position"):
        old = DROPPED.get(kpi.code)
        fields = {
            "code": RENAMED.get(kpi.code, kpi.code),
            "name": kpi.name.replace("手机银行", "电子银行"),
            "name_en": kpi.name_en.replace("mobile-banking", "e-banking"),
            "measure": kpi.measure,
            "direction": kpi.direction,
            "is_balance": kpi.is_balance,
        }
        if old is not None:
            fields |= {f: getattr(old, f) for f in ("code", "name", "name_en", "measure")}
            fields["is_balance"] = False
        if kpi.base_id:
            fields |= {"aggregation": kpi.aggregation, "base": made[kpi.base.code]}
        made[kpi.code] = Kpi.objects.create(cycle=cycle, position=kpi.position, **fields)
    return made


def figures(source: Plan) -> dict[str, demo.Figures]:
    """By 2027's codes: 2026's targets as the 2027 plan records them, and 2025's results
    a little below them; the quarters shared out like 2027's."""
    reference = {}
    for code, later in demo.Figures.of(source).items():
        target = later.last_target
        if target > 10:
            last_target, last = demo.whole(target * D("0.95")), demo.whole(target * D("0.94"))
        else:  # a ratio (the NPL ratio): a little worse the year before
            last_target, last = target, target + D("0.10")
        reference[code] = demo.Figures(last_target, last, target, later.quarters)
    return reference


def approved_plan(story, cycle: Cycle, source: Plan, kpis: dict[str, Kpi], reference) -> Plan:
    """The branch's 2026 plan, written from the fixture's, submitted and approved."""
    branch = Unit.objects.select_related("parent", "region").get(code=story.code)
    manager = demo.member(branch, Role.BRANCH_MANAGER)
    reviewer = demo.member(branch.parent, Role.REGIONAL_REVIEWER)
    plan = start_plan(cycle=cycle, branch=branch, by=manager)
    words = {
        "丰河": branch.name.removesuffix("县支行").removesuffix("支行"),
        "青峰": branch.region.name.removesuffix("分行"),
        **YEARS,
    }
    demo.copy_sections(source, plan, len(SECTIONS), words, by=manager)
    to_this_year(plan, kpis)
    # set_figures reads each row's KPI by its code: 2026's codes, with 2027's figures.
    by_code = {kpi.code: reference[later] for later, kpi in kpis.items()}
    demo.set_figures(plan, dataclasses.replace(story, ambition=D(1)), by_code)
    review.submit_plan(plan_id=plan.pk, by=manager)
    review.approve_plan(plan_id=plan.pk, by=reviewer)
    return plan


def to_this_year(plan: Plan, kpis: dict[str, Kpi]) -> None:
    """Point the copied rows at 2026's KPIs (the copy kept 2027's), the row of a KPI
    that 2026 did not have at the KPI 2026 had in its place."""
    old = {kpi.pk: kpis[kpi.code] for kpi in Kpi.objects.filter(cycle__year=YEAR + 1)}
    for section in SECTIONS:
        for table in section.tables:
            model, parent = table.row_model, table.formset.fk
            links = [f for f in model._meta.concrete_fields if f.related_model is Kpi]
            if not links:
                continue
            rows = list(model.objects.filter(**{f"{parent.name}__plan": plan}))
            for row in rows:
                for link in links:
                    if getattr(row, link.attname) is not None:
                        setattr(row, link.attname, old[getattr(row, link.attname)].pk)
            model.objects.bulk_update(rows, [link.name for link in links])
