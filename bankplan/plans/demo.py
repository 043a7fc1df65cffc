"""The demo bank beyond its fixture: plans in every state and head office's allocated
targets, so that every screen of `make run` has something to show.

fixtures/demo.json writes out one plan in full (丰河县支行, R01-01) and half of another
(R01-02). The other branches' plans are copies of the full one, renamed to their county
and scaled to their size, then taken through the review services themselves (submit,
return, approve): their versions, history, submitted figures and PDFs are the app's own.
``build`` runs once, right after the fixture is loaded (see ``load_demo``).
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.utils import timezone

from bankplan.headoffice.models import Allocation
from bankplan.organisation.models import Membership, Role, Unit, User
from bankplan.reviews import services as review

from .models import Cycle, Kpi, Plan
from .progress import load_plan
from .sections.background import LastYearResult
from .sections.products import QUARTERS, KpiTarget, ProductLine
from .sections.registry import SECTIONS
from .services import start_plan

# The plan written out in the fixture: every other demo plan starts as a copy of it.
SOURCE = "R01-01"

# What happens to a plan, step by step, done by its branch's manager (submit, revise) or
# its reviewer (return, approve).
SUBMIT, RETURN, REVISE, APPROVE = "submit", "return", "revise", "approve"

# Head office asks each branch for a little more than 丰河县支行's plan, scaled to the
# branch's size: a plan with an ambition below this falls short of its allocation.
PUSH = Decimal("1.03")

# KPIs that are the sum of others: the copies keep 各项存款 = 个人存款 + 对公存款 exact.
PARTS = {"deposits_total": ("deposits_retail", "deposits_corporate")}


@dataclass(frozen=True)
class Demo:
    """A branch of the demo bank and what becomes of its plan."""

    code: str
    scale: Decimal  # its size against 丰河县支行's
    # How many sections the demo writes into a plan it starts for the branch; 0: none
    # is started here (the two plans of the fixture, and the branches not started).
    sections: int = 0
    story: tuple[str, ...] = ()
    ambition: Decimal = Decimal(1)  # its targets against 丰河县支行's, scaled
    npl: Decimal = Decimal("1.30")  # this year's NPL ratio target (%)
    npl_allowed: Decimal = Decimal("1.50")  # the NPL ratio head office allows it
    reason: str = ""  # why its reviewer returns the plan


FULL = len(SECTIONS)
D = Decimal

BRANCHES = (
    # 青峰分行: branches of its own and, below 青峰北部二级分行 (R01-S1), three more.
    Demo("R01-01", D(1), npl_allowed=D("1.30")),  # the manager's draft, in the fixture
    Demo("R01-02", D("0.40")),  # half written, in the fixture
    Demo("R01-03", D("1.30")),  # not started
    Demo("R01-04", D("0.80"), FULL, (SUBMIT, APPROVE), D("1.05"), D("1.20")),
    Demo(
        "R01-05",
        D("0.70"),
        FULL,
        (SUBMIT, RETURN, REVISE, SUBMIT),
        D("0.97"),
        D("1.35"),
        reason="个人存款目标只比上年实际增长 5% 左右，低于分行下达的分解指标；请结合代发工资"
        "和拆迁补偿资金再测算，并把增量更多放在一季度“开门红”。",
    ),
    Demo(
        "R01-S1-01",
        D("1.10"),
        FULL,
        (SUBMIT, RETURN, REVISE, SUBMIT, APPROVE),
        D(1),
        D("1.15"),
        reason="存款目标与二级分行分解指标还有差距，请补充开发区新落地企业的代发和结算营销安排。",
    ),
    Demo("R01-S1-02", D("0.60"), FULL, (SUBMIT,), D("0.98"), D("1.40")),
    Demo(
        "R01-S1-03",
        D("0.50"),
        FULL,
        (SUBMIT, RETURN),
        D("0.94"),
        D("1.45"),
        reason="普惠小微贷款目标明显低于二级分行的分解指标，请补充园区小微企业和新型农业"
        "经营主体的目标客户清单后重新测算。",
    ),
    # 澜港分行
    Demo("R02-01", D("1.50")),  # not started
    Demo("R02-02", D("0.35")),  # not started
    Demo("R02-03", D("0.90")),  # not started; the fixture extends its deadline
    Demo("R02-04", D("0.75"), 4, ambition=D("1.03")),  # a draft, four sections written
    # Over the NPL ratio it is allowed: the roll-up's gap shows it.
    Demo("R02-05", D("0.90"), FULL, (SUBMIT,), D("1.02"), D("1.62")),
    Demo(
        "R02-06",
        D("0.65"),
        FULL,
        (SUBMIT, RETURN),
        D("0.95"),
        D("1.40"),
        reason="各项存款和中间业务收入目标均低于分行分解指标；进村外拓全年只安排了 2 月一次，"
        "请按季度补充后重新提交。",
    ),
    Demo("R02-07", D("1.20"), FULL, (SUBMIT, APPROVE), D("1.06"), D("1.10")),
    Demo(
        "R02-08",
        D("0.85"),
        FULL,
        (SUBMIT, RETURN, REVISE, SUBMIT, APPROVE),
        D(1),
        D("1.25"),
        reason="季度分布过于平均，请按照存款旺季把增量前移到一季度。",
    ),
)


def build() -> None:
    """Everything the demo adds to the freshly loaded fixture. The review services ask
    for each version's PDF once the caller's transaction commits."""
    cycle = Cycle.objects.get()
    admin = User.objects.get(username="admin")
    source = load_plan(Plan.objects.get(cycle=cycle, branch__code=SOURCE))
    reference = Figures.of(source)
    for demo in BRANCHES:
        if demo.sections:
            build_plan(demo, cycle, source, reference)
    allocate(cycle, reference, by=admin)


def build_plan(demo: Demo, cycle: Cycle, source: Plan, reference: dict) -> Plan:
    """Start the branch's plan as its manager, write it from ``source`` and play its story."""
    branch = Unit.objects.select_related("parent", "region").get(code=demo.code)
    manager = member(branch, Role.BRANCH_MANAGER)
    # The reviewer nearest the branch: its second-tier branch's, or its region's.
    reviewer = member(branch.parent, Role.REGIONAL_REVIEWER)
    plan = start_plan(cycle=cycle, branch=branch, by=manager)
    words = {
        "丰河": branch.name.removesuffix("县支行"),
        "青峰": branch.region.name.removesuffix("分行"),
    }
    copy_sections(source, plan, demo.sections, words, by=manager)
    set_figures(plan, demo, reference)
    for step in demo.story:
        if step == SUBMIT:
            review.submit_plan(plan_id=plan.pk, by=manager)
        elif step == RETURN:
            review.return_plan(plan_id=plan.pk, by=reviewer, reason=demo.reason)
        elif step == REVISE:
            revise(plan)
        elif step == APPROVE:
            review.approve_plan(plan_id=plan.pk, by=reviewer)
    return plan


def member(unit: Unit, role: Role) -> User:
    return Membership.objects.select_related("user").get(unit=unit, role=role).user


# --- Copying a plan ----------------------------------------------------------------


def reword(value, words: dict[str, str]):
    """A text with the source branch's places replaced by the copy's; other values as is."""
    if isinstance(value, str):
        for old, new in words.items():
            value = value.replace(old, new)
    return value


def copy_sections(source: Plan, plan: Plan, count: int, words: dict[str, str], *, by) -> None:
    """Write the first ``count`` sections of ``source`` (from ``load_plan``) into the
    just started, empty ``plan``, as if ``by`` had saved them."""
    copies: dict[type, dict[int, int]] = {}  # row model -> source row id -> its copy's id
    now = timezone.now()
    for section in SECTIONS[:count]:
        original, content = section.content_of(source), section.content_of(plan)
        for name in section.field_names:
            setattr(content, name, reword(getattr(original, name), words))
        content.revision, content.updated_at, content.updated_by = 1, now, by
        content.save()
        for table in section.tables:
            copy_rows(table, original, content, words, copies)


def copy_rows(table, original, content, words: dict[str, str], copies: dict) -> None:
    """Copy one table's rows. A row pointing at another row of the plan (a product line's
    segment, a strategy's SWOT items) points at that row's copy, made earlier: sections
    and tables are copied in their order, and only ever point back."""
    model, parent = table.row_model, table.formset.fk
    rows = table.rows(original)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f != parent]
    made = []
    for row in rows:
        values = {f.attname: reword(getattr(row, f.attname), words) for f in fields}
        for f in fields:
            if f.is_relation and f.related_model in copies and values[f.attname] is not None:
                values[f.attname] = copies[f.related_model][values[f.attname]]
        made.append(model(**values, **{parent.attname: content.pk}))
    model.objects.bulk_create(made)
    copies[model] = {row.pk: copy.pk for row, copy in zip(rows, made, strict=True)}
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        own = through._meta.get_field(field.m2m_field_name()).attname
        other = through._meta.get_field(field.m2m_reverse_field_name()).attname
        links = [
            through(**{own: copy.pk, other: copies[field.related_model][linked.pk]})
            for row, copy in zip(rows, made, strict=True)
            for linked in getattr(row, field.name).all()
        ]
        through.objects.bulk_create(links)


# --- Figures -----------------------------------------------------------------------


def whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def share_out(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """``total`` in whole numbers shared like ``shares``; the last share takes the rounding."""
    parts = [whole(total * share / sum(shares)) for share in shares[:-1]]
    return [*parts, total - sum(parts)]


@dataclass(frozen=True)
class Figures:
    """One KPI's figures in a plan: last year's target and actual, this year's target
    and its quarters."""

    last_target: Decimal
    last_actual: Decimal
    target: Decimal
    quarters: list[Decimal]

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.last_target + other.last_target,
            self.last_actual + other.last_actual,
            self.target + other.target,
            [mine + theirs for mine, theirs in zip(self.quarters, other.quarters, strict=True)],
        )

    @classmethod
    def of(cls, plan: Plan) -> dict[str, "Figures"]:
        """KPI code -> figures of a complete plan loaded by ``load_plan``."""
        results = {row.kpi.code: row for row in plan.background.results.all()}
        return {
            row.kpi.code: cls(
                results[row.kpi.code].last_target,
                results[row.kpi.code].last_actual,
                row.target,
                row.quarters,
            )
            for row in plan.products.targets.all()
        }

    @classmethod
    def scaled(cls, kpi: Kpi, reference: "Figures", demo: Demo) -> "Figures":
        """The reference's figures for a branch ``demo.scale`` times its size. A ratio is
        not scaled: it takes the branch's own NPL target, a little better than last year,
        with quarterly checkpoints on the way there."""
        if kpi.measure == Kpi.Measure.PERCENT:
            last = demo.npl + Decimal("0.07")
            steps = [
                (last + (demo.npl - last) * quarter / 4).quantize(Decimal("0.01"))
                for quarter in range(1, 5)
            ]
            return cls(reference.last_target, last, demo.npl, steps)
        target = whole(reference.target * demo.scale * demo.ambition)
        last_actual = whole(reference.last_actual * demo.scale)
        # A balance's quarters share out its growth; a flow's, the year's figure.
        growth = target - last_actual if kpi.is_balance else target
        return cls(
            whole(reference.last_target * demo.scale),
            last_actual,
            target,
            share_out(growth, reference.quarters),
        )


def with_parts_added(values: dict, add) -> dict:
    """``values`` by KPI code, each total of PARTS made the sum of its parts by ``add``."""
    for total, parts in PARTS.items():
        values[total] = add([values[part] for part in parts])
    return values


def set_figures(plan: Plan, demo: Demo, reference: dict[str, Figures]) -> None:
    """Give the copied plan its own figures: last year's results and this year's targets
    scaled to the branch, and its products' yearly targets with them."""
    results = list(LastYearResult.objects.filter(background__plan=plan).select_related("kpi"))
    targets = {row.kpi_id: row for row in KpiTarget.objects.filter(products__plan=plan)}
    figures = with_parts_added(
        {row.kpi.code: Figures.scaled(row.kpi, reference[row.kpi.code], demo) for row in results},
        lambda parts: sum(parts[1:], parts[0]),
    )
    for result in results:
        own = figures[result.kpi.code]
        result.last_target, result.last_actual = own.last_target, own.last_actual
        if target := targets.get(result.kpi_id):  # none when the copy stops before products
            target.target = own.target
            for name, value in zip(QUARTERS, own.quarters, strict=True):
                setattr(target, name, value)
    LastYearResult.objects.bulk_update(results, ["last_target", "last_actual"])
    KpiTarget.objects.bulk_update(targets.values(), ["target", *QUARTERS])
    lines = list(ProductLine.objects.filter(products__plan=plan, yearly_target__isnull=False))
    for line in lines:
        line.yearly_target = whole(line.yearly_target * demo.scale * demo.ambition)
    ProductLine.objects.bulk_update(lines, ["yearly_target"])


def revise(plan: Plan) -> None:
    """What the branch changes after a return: 2% more retail deposits, won in the first
    quarter (the 开门红 season the reviewers ask for)."""
    rows = KpiTarget.objects.filter(
        products__plan=plan, kpi__code__in=["deposits_retail", "deposits_total"]
    )
    rows = list(rows.select_related("kpi"))
    more = whole(next(r.target for r in rows if r.kpi.code == "deposits_retail") * Decimal("0.02"))
    for row in rows:
        row.target += more
        row.q1 += more
    KpiTarget.objects.bulk_update(rows, ["target", "q1"])


# --- Allocations -------------------------------------------------------------------


def in_steps(value: Decimal, step: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    """``value`` rounded to a multiple of ``step``: head office hands out round figures."""
    return (value / step).quantize(Decimal(1), rounding=rounding) * step


def branch_allocation(demo: Demo, kpis: list[Kpi], reference: dict[str, Figures]) -> dict:
    """KPI code -> the target head office gives the branch, in tens."""
    allocated = {
        kpi.code: demo.npl_allowed
        if kpi.measure == Kpi.Measure.PERCENT
        else in_steps(reference[kpi.code].target * demo.scale * PUSH, 10)
        for kpi in kpis
    }
    return with_parts_added(allocated, sum)


def combined_allocation(children: list[dict], kpis: list[Kpi]) -> dict:
    """KPI code -> a unit's target: what its units below were given, rounded up to
    hundreds; a ratio averaged by its base (the NPL ratio by loans)."""
    allocated = {}
    for kpi in kpis:
        if kpi.aggregation == Kpi.Aggregation.WEIGHTED:
            base = [child[kpi.base.code] for child in children]
            weighted = sum(child[kpi.code] * b for child, b in zip(children, base, strict=True))
            allocated[kpi.code] = (weighted / sum(base)).quantize(Decimal("0.01"))
        else:
            allocated[kpi.code] = in_steps(
                sum(child[kpi.code] for child in children), 100, ROUND_CEILING
            )
    return with_parts_added(allocated, sum)


def allocate(cycle: Cycle, reference: dict[str, Figures], *, by: User) -> None:
    """Every unit's target for every KPI, from the branches up: a branch's from its size,
    each unit above from what its units below were given."""
    kpis = list(cycle.kpis.select_related("base"))
    demos = {demo.code: demo for demo in BRANCHES}
    units = list(Unit.objects.all())
    allocated: dict[int, dict[str, Decimal]] = {}
    for kind in (Unit.Kind.BRANCH, Unit.Kind.SUB_BRANCH, Unit.Kind.REGION, Unit.Kind.HEAD_OFFICE):
        for unit in (u for u in units if u.kind == kind):
            if kind == Unit.Kind.BRANCH:
                allocated[unit.pk] = branch_allocation(demos[unit.code], kpis, reference)
            else:
                children = [allocated[u.pk] for u in units if u.parent_id == unit.pk]
                allocated[unit.pk] = combined_allocation(children, kpis)
    Allocation.objects.bulk_create(
        Allocation(kpi=kpi, unit_id=unit_id, target=targets[kpi.code], set_by=by)
        for unit_id, targets in allocated.items()
        for kpi in kpis
    )
