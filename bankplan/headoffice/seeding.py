"""A synthetic bank at scale, for benchmarks and demonstrations (``manage.py seed_bank``).

Thousands of branches with their managers and reviewers, a KPI catalogue, and plans in
every state with figures, versions, stored PDFs, history, submitted figures and the
targets cascaded down the tree, all written with bulk inserts in one transaction.

Only one plan is written the slow way: the demo's complete plan (fixtures/demo.json),
copied into one seeded branch. Its snapshot is the model every seeded version copies,
with that branch's facts and figures patched in, and its PDFs, rendered once, are the
stored file of every seeded version. Figures are random with a fixed seed per branch
code, so a branch gets the same figures whatever else is seeded.
"""

import datetime
import itertools
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.db import connection, transaction
from django.db.models import JSONField, Value
from django.utils import timezone

from bankplan.documents.snapshot import plan_facts, snapshot_of
from bankplan.organisation.models import Membership, Role, Unit, UnitKind, User
from bankplan.plans.models import Aggregation, Cycle, Direction, Kpi, Measure, Plan, Status
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.background import Background, LastYearResult
from bankplan.plans.sections.base import SectionContent
from bankplan.plans.sections.kpi_rows import KpiRow
from bankplan.plans.sections.products import QUARTERS, KpiTarget, Products
from bankplan.plans.sections.registry import SECTIONS
from bankplan.reviews.models import AuditEntry, Version, VersionPdf
from bankplan.reviews.tasks import store_version_pdf

from .figures import figure_rows
from .models import Allocation, KpiFigure

DEMO = settings.BASE_DIR / "fixtures" / "demo.json"
DEMO_BRANCH = "R01-01"  # the branch of the demo's complete plan
PASSWORD = "demo"  # every seeded user's, as in the demo bank

# How the branches' plans stand, in percent of the branches (None: not started).
STATES = ((None, 10), (Status.DRAFT, 25), (Status.SUBMITTED, 25), (Status.RETURNED, 10),
          (Status.APPROVED, 30))  # fmt: skip
VERSIONED = (Status.SUBMITTED, Status.RETURNED, Status.APPROVED)
RESUBMITTED = 30  # percent of versioned plans that went back once and came again

# What the seeded versions keep of the model plan's narrative (see _lightened).
TEXT_KEPT = 120  # characters of a text
ROWS_KEPT = 4  # rows of a table

CHUNK = 2000  # branches whose plans are made together: bounds what is held in memory
BATCH = 2000  # rows per INSERT

# Last year's actual of a KPI as a share of the branch's deposits, in tenths of a
# per mille (low, high); a percentage KPI is drawn from RATIO instead.
SHARES = {
    "deposits_total": (10000, 10000),
    "deposits_retail": (6000, 7800),
    "deposits_corporate": (2200, 4000),
    "loans_total": (5500, 8500),
    "loans_inclusive": (1500, 3000),
    "customers_new": (200, 500),
    "customers_affluent": (200, 400),
    "credit_cards_new": (100, 300),
    "mobile_banking_new": (400, 800),
    "wealth_sales": (1000, 2000),
    "fee_income": (50, 100),
    "simulated_profit": (150, 250),
}
OTHER_SHARES = {Measure.WAN_YUAN: (500, 5000), Measure.CUSTOMERS: (100, 500)}
RATIO = (80, 250)  # a ratio such as the NPL ratio, in hundredths of a percent

CENT = Decimal("0.01")
WHOLE = Decimal("1")
COUNTED = {Measure.CUSTOMERS, Measure.CARDS}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建文辉力斌宇浩凯晨欣怡"
    "佳琳雪梅海波宁志峰俊飞鑫立新晓东"
)
PLACE_FIRST = "东西南北青云江河山海金银白清平安宁长新永太丰福临兴泰嘉德乐洪松柳桃梅石"
PLACE_SECOND = "州阳川源陵城湖原江山溪桥林口坪岭塘浦滨田"
QUARTERS_OF_TOWN = ("城东", "城西", "城南", "城北", "新区", "开发区", "滨江", "人民路", "中山路",
                    "高新区", "火车站", "大学城", "港区", "工业园", "镇", "县")  # fmt: skip
RETURN_REASONS = (
    "请补充普惠小微贷款的季度分解和投放计划。",
    "存款目标偏低，请结合代发单位的增量重新测算。",
    "竞争对手分析过于简单，请补充主要同业的份额和做法。",
    "客户经理管户数与目标客户数不匹配，请调整。",
)


@dataclass
class Report:
    """What a seeding made, for the command to print."""

    made: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [f"{what}: {count}" for what, count in self.made.items()] + [
            f"in {self.seconds:.1f} s"
        ]


def seed_bank(*, regions: int, branches: int, year: int | None = None, seed: int = 2027) -> Report:
    """Add ``regions`` regions with ``branches`` branches between them, below the existing
    head office (made if there is none), with plans in the cycle of ``year`` (made with
    the demo's catalogue if there is none; default: the latest cycle, or 2027)."""
    if regions < 1 or branches < regions:
        raise ValueError("Seed at least one region and at least one branch per region.")
    started = time.perf_counter()
    with transaction.atomic():
        _compress_quickly()
        seeder = Seeder(random.Random(seed), seed)
        seeder.run(regions, branches, year)
    seeder.report.seconds = time.perf_counter() - started
    return seeder.report


def _compress_quickly() -> None:
    """Snapshots are large, and PostgreSQL compresses each: with lz4 (where the server
    has it) several times faster than with its default, pglz. For this transaction only."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


def _rounded(value: Decimal, step: Decimal) -> Decimal:
    """``value`` to a multiple of ``step``, written with two places as the database
    returns it (so a snapshot reads 58600.00 whether made here or from the rows)."""
    return value.quantize(step).quantize(CENT)


def _share(rng: random.Random, bounds: tuple[int, int], scale: int) -> Decimal:
    return Decimal(rng.randint(*bounds)) / scale


@dataclass(frozen=True)
class Figures:
    """One KPI's figures in one plan."""

    last_target: Decimal
    last_actual: Decimal
    target: Decimal
    quarters: tuple[Decimal, ...]


def last_year(rng: random.Random, kpi: Kpi, deposits: int) -> tuple[Decimal, Decimal]:
    """Last year's (target, actual) of a branch with ``deposits`` 万元 of deposits."""
    if kpi.measure == Measure.PERCENT:
        actual = _share(rng, RATIO, 100)
        return max(actual + _share(rng, (-20, 30), 100), Decimal("0.30")), actual
    bounds = SHARES.get(kpi.code) or OTHER_SHARES.get(kpi.measure, OTHER_SHARES[Measure.CUSTOMERS])
    step = WHOLE if kpi.measure in COUNTED else CENT
    actual = _rounded(deposits * _share(rng, bounds, 10000), step)
    achieved = _share(rng, (920, 1060), 1000)  # last year's actual against its target
    return _rounded(actual / achieved, WHOLE), actual


def this_year(rng: random.Random, kpi: Kpi, actual: Decimal) -> tuple[Decimal, tuple]:
    """This year's target over last year's ``actual`` and its four quarters: balances
    and flows grow 3–12 %, a ratio improves by 0.05–0.30 points."""
    better = 1 if kpi.direction == Direction.HIGHER else -1
    if kpi.measure == Measure.PERCENT:
        target = actual + better * _share(rng, (5, 30), 100)
        target = min(max(target, Decimal("0.30")), Decimal(100))
        # A ratio's quarters are checkpoints on the way from last year's figure.
        steps = [_rounded(actual + (target - actual) * i / 4, CENT) for i in (1, 2, 3)]
        return target, (*steps, target)
    target = _rounded(actual * (1 + better * _share(rng, (300, 1200), 10000)), WHOLE)
    # A balance's quarters share out its growth, a flow's the year's figure; the first
    # quarter carries most (开门红), the last takes what is left so they add up exactly.
    whole = target - actual if kpi.is_balance else target
    step = WHOLE if kpi.measure in COUNTED else CENT
    weights = (rng.randint(30, 40), rng.randint(20, 30), rng.randint(12, 22))
    split = [_rounded(whole * weight / 100, step) for weight in weights]
    return target, (*split, whole - sum(split))


def branch_figures(code: str, kpis: list[Kpi], seed: int) -> tuple[list[Figures], list[Figures]]:
    """A branch's figures per KPI: as submitted last, and as first drafted (a plan sent
    back once changed its targets in between)."""
    rng = random.Random(f"{seed}:{code}")
    deposits = rng.randint(80, 1500) * 100
    years = [last_year(rng, kpi, deposits) for kpi in kpis]
    final, first = [], []
    for kpi, (last_target, actual) in zip(kpis, years, strict=True):
        final.append(Figures(last_target, actual, *this_year(rng, kpi, actual)))
        first.append(Figures(last_target, actual, *this_year(rng, kpi, actual)))
    return final, first


def _name(rng: random.Random, places: tuple[str, ...] = ("",)) -> str:
    return rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND) + rng.choice(places)


def _person(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(SURNAMES) + given


def _fresh_codes(taken: set[str], count: int) -> list[str]:
    """Region codes nobody uses, neither as a code nor as the prefix of one."""
    prefixes = {code.split("-")[0] for code in taken}
    width = max(2, len(str(len(prefixes) + count)))
    candidates = (f"R{n:0{width}d}" for n in itertools.count(1))
    return list(itertools.islice((c for c in candidates if c not in prefixes), count))


@dataclass
class Branch:
    unit: Unit
    reviewer_id: int  # who reviews its plan: the reviewer of its parent unit
    status: str | None = None
    manager_id: int = 0
    manager_name: str = ""


class Seeder:
    def __init__(self, rng: random.Random, seed: int):
        self.rng = rng
        self.seed = seed
        self.report = Report()
        self.now = timezone.now()
        self.password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        self.template: dict | None = None  # the model snapshot
        self.model_pdf: VersionPdf | None = None  # the one PDF rendered
        self.pdf_file = ""  # its file, which every seeded PDF shows
        self.allocated: dict[int, list[Decimal]] = {}  # branch id -> its allocations

    def made(self, what: str, rows: list) -> list:
        self.report.made[what] += len(rows)
        return rows

    # -- the bank ------------------------------------------------------------------------

    def run(self, regions: int, branches: int, year: int | None) -> None:
        self.head, self.planner = self._head_office()
        self.cycle = self._cycle(year)
        self.kpis = list(self.cycle.kpis.order_by("position", "pk"))
        seeded = self._tree(regions, branches)
        self._assign_states(seeded)
        for chunk in itertools.batched(seeded, CHUNK):
            self._plans(list(chunk))
        self._allocations(seeded)

    def _head_office(self) -> tuple[Unit, User]:
        head = Unit.objects.filter(kind=UnitKind.HEAD_OFFICE).first()
        if head is None:
            head = Unit.objects.create(
                code="HO", name="江澜农商银行总行", kind=UnitKind.HEAD_OFFICE
            )
            self.made("head office", [head])
        held = head.memberships.filter(role=Role.HEAD_OFFICE_PLANNER).select_related("user")
        if held:
            return head, held[0].user
        taken = set(
            User.objects.filter(username__startswith="planner").values_list("username", flat=True)
        )
        names = itertools.chain(["planner"], (f"planner{i}" for i in itertools.count(2)))
        name = next(name for name in names if name not in taken)
        planner = User.objects.create(
            username=name, full_name=_person(self.rng), password=self.password
        )
        role = Membership.objects.create(user=planner, unit=head, role=Role.HEAD_OFFICE_PLANNER)
        self.made("users", [planner])
        self.made("memberships", [role])
        return head, planner

    def _cycle(self, year: int | None) -> Cycle:
        cycles = Cycle.objects.all()
        cycle = cycles.filter(year=year).first() if year else cycles.order_by("-year").first()
        if cycle is not None:
            return cycle
        year = year or 2027
        cycle = Cycle.objects.create(
            year=year,
            name=f"{year} 年度营销计划",
            opens_on=datetime.date(year - 1, 10, 15),
            deadline=datetime.date(year - 1, 12, 31),
        )
        # The demo's catalogue; a ratio's base is set once the KPI it names exists.
        demo = [d.object for d in self.demo if isinstance(d.object, Kpi)]
        fields = [f.attname for f in Kpi._meta.concrete_fields if not f.is_relation]
        kpis = [Kpi(**{name: getattr(kpi, name) for name in fields}) for kpi in demo]
        for kpi in kpis:
            kpi.pk, kpi.cycle, kpi.aggregation = None, cycle, Aggregation.SUM
        Kpi.objects.bulk_create(kpis)
        ours = {old.pk: new for old, new in zip(demo, kpis, strict=True)}
        for old, new in zip(demo, kpis, strict=True):
            if old.base_id is not None:
                new.aggregation, new.base = old.aggregation, ours[old.base_id]
        Kpi.objects.bulk_update(kpis, ["aggregation", "base"])
        self.made("cycles", [cycle])
        return cycle

    @cached_property
    def demo(self) -> list:
        """The demo bank's objects, unsaved (their ids are the fixture's)."""
        with open(DEMO, encoding="utf-8") as fixture:
            return list(serializers.deserialize("json", fixture, ignorenonexistent=True))

    def _tree(self, regions: int, branches: int) -> list[Branch]:
        """Regions, second-tier branches in every other region, branches, and the people:
        a manager per branch, a reviewer per region and per second-tier branch."""
        rng = self.rng
        codes = _fresh_codes(set(Unit.objects.values_list("code", flat=True)), regions)
        made = Unit.objects.bulk_create(
            [
                Unit(code=code, name=_name(rng, ("分行",)), kind=UnitKind.REGION, parent=self.head)
                for code in codes
            ]
        )
        self.regions = self.made("regions", made)
        sizes = [branches // regions + (i < branches % regions) for i in range(regions)]
        width = max(3, len(str(max(sizes))))
        subs, placed = [], []  # placed: (region, sub-branch index or None, code)
        for index, (region, size) in enumerate(zip(self.regions, sizes, strict=True)):
            tiers = min(rng.randint(2, 4), size // 4) if index % 2 == 0 else 0
            for k in range(tiers):
                subs.append(
                    Unit(
                        code=f"{region.code}-S{k + 1}",
                        name=_name(rng, ("市分行",)),
                        kind=UnitKind.SUB_BRANCH,
                        parent=region,
                        region=region,
                    )
                )
            # Half the region's branches hang from its second-tier branches, if it has any.
            below = size // 2 if tiers else 0
            for j in range(size):
                sub = len(subs) - tiers + j % tiers if j < below else None
                placed.append((region, sub, f"{region.code}-{j + 1:0{width}d}"))
        self.subs = self.made("second-tier branches", Unit.objects.bulk_create(subs))
        units = [
            Unit(
                code=code,
                name=_name(rng, QUARTERS_OF_TOWN) + "支行",
                kind=UnitKind.BRANCH,
                parent=region if sub is None else self.subs[sub],
                region=region,
            )
            for region, sub, code in placed
        ]
        units = self.made("branches", Unit.objects.bulk_create(units, batch_size=BATCH))
        return self._people(units)

    def _people(self, units: list[Unit]) -> list[Branch]:
        overseers = [*self.regions, *self.subs]
        managers = [self._user("mgr", unit) for unit in units]
        reviewers = [self._user("rev", unit) for unit in overseers]
        User.objects.bulk_create([*managers, *reviewers], batch_size=BATCH)
        self.made("users", managers + reviewers)
        memberships = [
            Membership(user=user, unit=unit, role=Role.BRANCH_MANAGER)
            for user, unit in zip(managers, units, strict=True)
        ] + [
            Membership(user=user, unit=unit, role=Role.REGIONAL_REVIEWER)
            for user, unit in zip(reviewers, overseers, strict=True)
        ]
        self.made("memberships", Membership.objects.bulk_create(memberships, batch_size=BATCH))
        self.reviewer_of = {unit.pk: user for unit, user in zip(overseers, reviewers, strict=True)}
        return [
            Branch(unit, self.reviewer_of[unit.parent_id].pk, None, user.pk, user.full_name)
            for unit, user in zip(units, managers, strict=True)
        ]

    def _user(self, role: str, unit: Unit) -> User:
        username = f"{role}_{unit.code.lower()}"
        return User(
            username=username,
            full_name=_person(self.rng),
            email=f"{username}@example.com",
            password=self.password,
        )

    def _assign_states(self, branches: list[Branch]) -> None:
        """Each state for its share of the branches, in random places; the branch that
        gets the model plan goes first, since every version copies its snapshot."""
        states = [s for s, share in STATES for _ in range(len(branches) * share // 100)]
        states += [Status.DRAFT] * (len(branches) - len(states))
        self.rng.shuffle(states)
        for branch, state in zip(branches, states, strict=True):
            branch.status = state
        ranked = (Status.APPROVED, *VERSIONED)
        model = min(
            (b for b in branches if b.status in VERSIONED),
            key=lambda b: ranked.index(b.status),
            default=None,
        )
        if model is not None:
            branches.remove(model)
            branches.insert(0, model)

    # -- plans ---------------------------------------------------------------------------

    def _plans(self, chunk: list[Branch]) -> None:
        started = [branch for branch in chunk if branch.status]
        window = self._window()
        timelines = {b.unit.pk: self._timeline(b, window) for b in started}
        plans = Plan.objects.bulk_create(
            [
                Plan(
                    cycle=self.cycle,
                    branch_id=b.unit.pk,
                    status=b.status,
                    created_by_id=b.manager_id,
                    created_at=timelines[b.unit.pk][0],
                )
                for b in started
            ],
            batch_size=BATCH,
        )
        self.made("plans", plans)
        for plan in plans:
            self.report.made[f"  {plan.status}"] += 1
        contents = {
            section.model: section.model.objects.bulk_create(
                [section.model(plan_id=plan.pk) for plan in plans], batch_size=BATCH
            )
            for section in SECTIONS
        }
        figures = {b.unit.pk: branch_figures(b.unit.code, self.kpis, self.seed) for b in chunk}
        self._kpi_rows(started, contents[Background], contents[Products], figures)
        if self.template is None and started and started[0].status in VERSIONED:
            self.template = self._model_snapshot(plans[0], contents)
        versioned = [
            (plan, branch)
            for plan, branch in zip(plans, started, strict=True)
            if branch.status in VERSIONED
        ]
        self._versions(versioned, figures, timelines)
        for branch in chunk:
            self.allocated[branch.unit.pk] = [
                self._near(kpi, f.target, (920, 1080))
                for kpi, f in zip(self.kpis, figures[branch.unit.pk][0], strict=True)
            ]

    def _kpi_rows(self, started, backgrounds, products, figures) -> None:
        """Last year's results and this year's targets: a draft may lack either."""
        results, targets = [], []
        for branch, background, product in zip(started, backgrounds, products, strict=True):
            final = figures[branch.unit.pk][0]
            progress = self.rng.randrange(3) if branch.status == Status.DRAFT else 2
            if progress >= 1:
                results += [
                    LastYearResult(
                        background_id=background.pk,
                        kpi_id=kpi.pk,
                        last_target=f.last_target,
                        last_actual=f.last_actual,
                    )
                    for kpi, f in zip(self.kpis, final, strict=True)
                ]
            if progress == 2:
                targets += [
                    KpiTarget(
                        products_id=product.pk,
                        kpi_id=kpi.pk,
                        target=f.target,
                        **dict(zip(QUARTERS, f.quarters, strict=True)),
                    )
                    for kpi, f in zip(self.kpis, final, strict=True)
                ]
        self.made("last year's results", LastYearResult.objects.bulk_create(results, BATCH))
        self.made("KPI targets", KpiTarget.objects.bulk_create(targets, BATCH))

    def _window(self) -> tuple[datetime.datetime, int]:
        """When plans were written: from the cycle's opening to today or its deadline."""
        start = timezone.make_aware(
            datetime.datetime.combine(self.cycle.opens_on, datetime.time(9))
        )
        end = timezone.make_aware(datetime.datetime.combine(self.cycle.deadline, datetime.time(18)))
        seconds = int((min(end, self.now) - start).total_seconds())
        return start, max(seconds, 86400)

    def _timeline(self, branch: Branch, window) -> tuple[datetime.datetime, list[tuple]]:
        """When the plan was started, and its history after: (action, when) in order."""
        actions = []
        if branch.status in VERSIONED:
            actions = [AuditEntry.Action.SUBMITTED]
            if self.rng.randrange(100) < RESUBMITTED:
                actions += [AuditEntry.Action.RETURNED, AuditEntry.Action.SUBMITTED]
            if branch.status != Status.SUBMITTED:
                actions.append(AuditEntry.Action(branch.status))
        start, seconds = window
        offsets = sorted(self.rng.randrange(seconds) for _ in range(1 + len(actions)))
        moments = [start + datetime.timedelta(seconds=offset) for offset in offsets]
        return moments[0], list(zip(actions, moments[1:], strict=True))

    # -- the model plan ------------------------------------------------------------------

    def _model_snapshot(self, plan: Plan, contents: dict) -> dict:
        """Fill the plan with the demo's complete plan and freeze it, lightened: the
        versions of every seeded plan copy this snapshot."""
        author = plan.created_by_id
        sections = {model: rows[0].pk for model, rows in contents.items()}
        self._copy_demo_plan(plan, sections, author)
        return _lightened(snapshot_of(load_plan(plan), facts=plan_facts(plan)))

    def _copy_demo_plan(self, plan: Plan, sections: dict, author: int) -> None:
        """The demo plan's sections and rows (not its figures: the plan keeps its own)
        written into ``plan``, each link to another row of the plan following the copy.
        Changes the demo objects it copies: it runs once per seeding."""
        units = {d.object.pk: d.object.code for d in self.demo if isinstance(d.object, Unit)}
        source = next(
            d.object.pk
            for d in self.demo
            if isinstance(d.object, Plan) and units[d.object.branch_id] == DEMO_BRANCH
        )
        copied = {}  # (model, fixture id) -> id in the seeded plan
        for d in self.demo:
            content = d.object
            if isinstance(content, SectionContent) and content.plan_id == source:
                copied[type(content), content.pk] = content.pk = sections[type(content)]
                content.plan_id, content.updated_by_id, content.revision = plan.pk, author, 1
                content.save(force_update=True)
        pending = [
            d
            for d in self.demo
            if d.object._meta.app_label == "plans"
            and not isinstance(d.object, SectionContent | KpiRow | Kpi | Plan)
        ]
        while ready := [(d, links) for d in pending if (links := self._links(d.object, copied))]:
            for d, links in ready:
                pending.remove(d)
                old = d.object.pk
                for name, value in links.items():
                    setattr(d.object, name, author if value is User else value)
                d.object.pk = None
                d.object.save(force_insert=True)
                copied[type(d.object), old] = d.object.pk
                for name, ids in d.m2m_data.items():
                    target = d.object._meta.get_field(name).related_model
                    getattr(d.object, name).set([copied[target, i] for i in ids])

    @cached_property
    def _demo_kpis(self) -> dict[int, int]:
        """Fixture id of a demo KPI -> id of the cycle's KPI with its code."""
        ours = {kpi.code: kpi.pk for kpi in self.kpis}
        return {
            d.object.pk: ours[d.object.code]
            for d in self.demo
            if isinstance(d.object, Kpi) and d.object.code in ours
        }

    def _links(self, row, copied: dict) -> dict | None:
        """The row's foreign keys mapped into the seeded plan (a user: ``User``, for the
        author), or None while the row it hangs from is not copied: never, for the other
        demo plans' rows, or for a row about a KPI the cycle lacks."""
        mapped = {}
        for fk in row._meta.concrete_fields:
            value = getattr(row, fk.attname)
            if not fk.is_relation or value is None:
                continue
            if fk.related_model is User:
                mapped[fk.attname] = User
            elif fk.related_model is Kpi and value in self._demo_kpis:
                mapped[fk.attname] = self._demo_kpis[value]
            elif (fk.related_model, value) in copied:
                mapped[fk.attname] = copied[fk.related_model, value]
            else:
                return None
        return mapped

    # -- versions ------------------------------------------------------------------------

    def _versions(self, versioned: list[tuple[Plan, Branch]], figures, timelines) -> None:
        """Each submission a version with the model snapshot made the branch's, its
        history, its stored PDFs (the model's files) and the figures the roll-ups count."""
        versions, entries, latest = [], [], []
        for plan, branch in versioned:
            final, first = figures[branch.unit.pk]
            status, version = Status.DRAFT, None
            history = timelines[branch.unit.pk][1]
            count = sum(action == AuditEntry.Action.SUBMITTED for action, _at in history)
            for action, at in history:
                reviewed = action != AuditEntry.Action.SUBMITTED
                if not reviewed:
                    number = (version.number if version else 0) + 1
                    version = Version(
                        plan=plan,
                        number=number,
                        snapshot=self._snapshot(branch, final if number == count else first),
                        submitted_by_id=branch.manager_id,
                        submitted_at=at,
                    )
                    versions.append(version)
                elif action == AuditEntry.Action.APPROVED:
                    version.approved_by_id, version.approved_at = branch.reviewer_id, at
                entries.append(
                    AuditEntry(
                        plan=plan,
                        version=version,
                        action=action,
                        from_status=status,
                        to_status=Status(action),
                        actor_id=branch.reviewer_id if reviewed else branch.manager_id,
                        at=at,
                        reason=self.rng.choice(RETURN_REASONS)
                        if action == AuditEntry.Action.RETURNED
                        else "",
                    )
                )
                status = action
            latest.append(version)
        self.made("versions", _insert_versions(versions))
        self.made("history entries", AuditEntry.objects.bulk_create(entries, batch_size=BATCH))
        if versions and self.model_pdf is None:
            self._render_model_pdfs(latest[0])
        self._pdfs(versions)
        figures = [
            row
            for version in latest
            for row in figure_rows(KpiFigure, version.plan_id, self.kpis, version.snapshot)
        ]
        self.made("submitted KPI figures", KpiFigure.objects.bulk_create(figures, BATCH))

    def _snapshot(self, branch: Branch, figures: list[Figures]) -> dict:
        """The model snapshot with the branch's facts and figures. Shares every part it
        leaves alone with the model: snapshots are never changed in place."""
        by_code = {kpi.code: f for kpi, f in zip(self.kpis, figures, strict=True)}
        targets = {
            code: {
                "target": str(f.target),
                **dict(zip(QUARTERS, map(str, f.quarters), strict=True)),
            }
            for code, f in by_code.items()
        }
        results = {
            code: {"last_target": str(f.last_target), "last_actual": str(f.last_actual)}
            for code, f in by_code.items()
        }
        sections = dict(self.template["sections"])
        sections["products"] = _with_values(sections["products"], "targets", targets)
        sections["background"] = _with_values(sections["background"], "results", results)
        unit = branch.unit
        facts = {
            "bank": self.head.name,
            "region": unit.region.name,
            "branch": unit.name,
            "branch_code": unit.code,
            "cycle": self.cycle.name,
            "year": self.cycle.year,
            "author": branch.manager_name,
        }
        return {**self.template, "plan": facts, "sections": sections}

    def _render_model_pdfs(self, version: Version) -> None:
        """The model plan's PDF as submitted, rendered and stored the way a submission's
        is: one render (WeasyPrint takes seconds), the file of every seeded PDF."""
        pdf = VersionPdf.objects.create(version=version, kind=VersionPdf.Kind.SUBMITTED)
        self.pdf_file = store_version_pdf(pdf)
        self.model_pdf = pdf
        self.report.made["PDFs rendered"] += 1

    def _pdfs(self, versions: list[Version]) -> None:
        """Every version's PDFs stored, all pointing at the model's files."""
        pdfs = []
        for version in versions:
            kinds = {VersionPdf.Kind.SUBMITTED: version.submitted_at}
            if version.approved_at:
                kinds[VersionPdf.Kind.APPROVED] = version.approved_at
            if version is self.model_pdf.version:
                del kinds[VersionPdf.Kind.SUBMITTED]  # rendered
            pdfs += [
                VersionPdf(
                    version=version,
                    kind=kind,
                    state=VersionPdf.State.READY,
                    file=self.pdf_file,
                    attempts=1,
                    requested_at=at,
                    rendered_at=at,
                )
                for kind, at in kinds.items()
            ]
        self.made("stored PDFs", VersionPdf.objects.bulk_create(pdfs, batch_size=BATCH))

    # -- targets cascaded down the tree ----------------------------------------------------

    def _allocations(self, branches: list[Branch]) -> None:
        """What each unit is given, bottom up: a branch about its plan's target, a unit
        above about what its units below were given, some short and some over."""
        below = defaultdict(list)  # unit id -> allocations of the units right below
        rows = []
        for branch in branches:
            values = self.allocated[branch.unit.pk]
            rows += self._allocation_rows(branch.unit, values, branch.reviewer_id)
            below[branch.unit.parent_id].append(values)
        for sub in self.subs:
            values = self._combined(below[sub.pk])
            rows += self._allocation_rows(sub, values, self.reviewer_of[sub.region_id].pk)
            below[sub.region_id].append(values)
        for region in self.regions:
            values = self._combined(below[region.pk])
            rows += self._allocation_rows(region, values, self.planner.pk)
        self.made("allocated targets", Allocation.objects.bulk_create(rows, batch_size=BATCH))
        # Head office's own targets cover every region, also those seeded before.
        given = defaultdict(dict)
        regional = Allocation.objects.filter(kpi__cycle=self.cycle, unit__kind=UnitKind.REGION)
        for unit_id, kpi_id, target in regional.values_list("unit_id", "kpi_id", "target"):
            given[unit_id][kpi_id] = target
        values = self._combined([[g.get(kpi.pk) for kpi in self.kpis] for g in given.values()])
        Allocation.objects.bulk_create(
            self._allocation_rows(self.head, values, self.planner.pk),
            update_conflicts=True,
            unique_fields=["kpi", "unit"],
            update_fields=["target", "set_by", "set_at"],
        )

    def _allocation_rows(self, unit: Unit, values: list, by: int) -> list[Allocation]:
        return [
            Allocation(kpi=kpi, unit=unit, target=value, set_by_id=by, set_at=self.now)
            for kpi, value in zip(self.kpis, values, strict=True)
            if value is not None
        ]

    def _near(self, kpi: Kpi, value: Decimal, bounds: tuple[int, int]) -> Decimal:
        """``value`` give or take a few per mille, rounded as the KPI is written."""
        step = CENT if kpi.measure == Measure.PERCENT else WHOLE
        return _rounded(value * _share(self.rng, bounds, 1000), step)

    def _combined(self, children: list[list]) -> list[Decimal | None]:
        """One allocation for units that were given ``children``: their sum, or for a
        ratio their average weighted by its base, within 3 % either way."""
        index = {kpi.pk: i for i, kpi in enumerate(self.kpis)}
        combined = []
        for i, kpi in enumerate(self.kpis):
            if kpi.base_id in index:
                b = index[kpi.base_id]
                pairs = [(c[i], c[b]) for c in children if c[i] is not None and c[b]]
                weight = sum(base for _value, base in pairs)
                value = sum(v * base for v, base in pairs) / weight if weight else None
            else:
                known = [c[i] for c in children if c[i] is not None]
                value = sum(known) if known else None
            combined.append(None if value is None else self._near(kpi, value, (970, 1030)))
        return combined


def _cut(value):
    return value[:TEXT_KEPT] + "…" if isinstance(value, str) and len(value) > TEXT_KEPT else value


def _lightened(snapshot: dict) -> dict:
    """The snapshot with its narrative cut short and its tables, but for the KPI tables,
    to their first rows: some 60 KB of JSON instead of 120, written twenty thousand times."""
    sections = {}
    for key, section in snapshot["sections"].items():
        kpi_tables = {table["name"] for table in section["meta"]["tables"] if table["kpi"]}
        tables = {
            name: [
                {**row, "values": {k: _cut(v) for k, v in row["values"].items()}}
                for row in (rows if name in kpi_tables else rows[:ROWS_KEPT])
            ]
            for name, rows in section["tables"].items()
        }
        fields = {name: _cut(value) for name, value in section["fields"].items()}
        sections[key] = {**section, "fields": fields, "tables": tables}
    return {**snapshot, "sections": sections}


def _with_values(section: dict, table: str, values: dict[str, dict]) -> dict:
    """``section`` with the rows of ``table`` given ``values`` by row key (KPI code)."""
    rows = [
        {**row, "values": {**row["values"], **values.get(row["key"], {})}}
        for row in section["tables"][table]
    ]
    return {**section, "tables": {**section["tables"], table: rows}}


class _Unescaped(json.JSONEncoder):
    """JSON with Chinese written as itself: PostgreSQL reads it some three times faster
    than the same text in \\u escapes."""

    def __init__(self, **options):
        super().__init__(**{**options, "ensure_ascii": False})


def _insert_versions(versions: list[Version]) -> list[Version]:
    """``bulk_create`` with every snapshot a parameter of its own. Sent as one array
    parameter (Django's INSERT … UNNEST on PostgreSQL), each is escaped in Python by
    psycopg, at some 50 ms a snapshot; an expression in a row makes Django list the rows."""
    snapshots = [version.snapshot for version in versions]
    for version in versions:
        version.snapshot = Value(version.snapshot, output_field=JSONField(encoder=_Unescaped))
    Version.objects.bulk_create(versions, batch_size=BATCH // 10)
    for version, snapshot in zip(versions, snapshots, strict=True):
        version.snapshot = snapshot
    return versions
