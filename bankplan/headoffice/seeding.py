"""A synthetic bank at scale, for benchmarks and demonstrations (``manage.py seed_bank``).

Thousands of branches with their managers and reviewers, a KPI catalogue, and plans in
every state with figures, versions, stored PDFs, history, submitted figures and the
targets cascaded down the tree, written in bulk in one transaction.

Only one plan is written the slow way: the demo's complete plan (fixtures/demo.json),
copied into one seeded branch. Its snapshot, lightened, is the model every seeded
version copies with that branch's facts and figures patched in, and its PDF, rendered
once, is the stored file of every seeded version. Figures come from synthetic.py.
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
from django.db import connection, models, transaction
from django.utils import timezone

from bankplan.documents.snapshot import plan_facts, snapshot_of
from bankplan.organisation.models import Membership, Role, Unit, UnitKind, User
from bankplan.plans.demo import Figures
from bankplan.plans.models import Aggregation, Cycle, Kpi, Measure, Plan, Status
from bankplan.plans.progress import load_plan
from bankplan.plans.sections.background import Background, LastYearResult
from bankplan.plans.sections.base import SectionContent
from bankplan.plans.sections.kpi_rows import KpiRow
from bankplan.plans.sections.products import QUARTERS, KpiTarget, Products
from bankplan.plans.sections.registry import SECTIONS
from bankplan.reviews.models import AuditEntry, Version, VersionPdf
from bankplan.reviews.tasks import store_version_pdf

from . import synthetic
from .figures import figure_rows
from .models import Allocation, KpiFigure
from .synthetic import CENT, WHOLE, branch_figures, rounded, share

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
BATCH = 2000  # rows per INSERT of bulk_create


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
    with connection.cursor() as cursor:
        # Without statistics the planner takes the tables just filled for empty ones and
        # loops over thousands of rows, until autovacuum comes round to them.
        cursor.execute("ANALYZE")
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


def insert(model: type[models.Model], rows: list[dict]) -> int:
    """Write ``rows`` (values by attname; any other column its default) without reading
    their ids back: by COPY on PostgreSQL, where bulk_create would spend minutes preparing
    a million values one by one; by bulk_create elsewhere (SQLite, small banks)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return len(rows)
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = [_column_default(f, now) for f in fields]
    # JSON with Chinese as itself, not in \u escapes: PostgreSQL reads it 3 times faster.
    as_json = [isinstance(f, models.JSONField) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [row.get(f.attname, d) for f, d in zip(fields, defaults, strict=True)]
            copy.write_row(
                [
                    json.dumps(value, ensure_ascii=False) if is_json else value
                    for value, is_json in zip(values, as_json, strict=True)
                ]
            )
    return len(rows)


def _column_default(field: models.Field, now: datetime.datetime):
    """What bulk_create would write for a column a row leaves out."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _fresh_codes(taken: set[str], count: int) -> list[str]:
    """Region codes nobody uses, neither as a code nor as the prefix of one."""
    prefixes = {code.split("-")[0] for code in taken}
    width = max(2, len(str(len(prefixes) + count)))
    candidates = (f"R{n:0{width}d}" for n in itertools.count(1))
    return list(itertools.islice((c for c in candidates if c not in prefixes), count))


@dataclass
class Branch:
    """A seeded branch and what the seeding needs to know of it."""

    unit: Unit
    manager_id: int
    manager_name: str
    reviewer_id: int  # who reviews its plan: the reviewer of its parent unit
    status: str | None = None  # of its plan; None: not started


class Seeder:
    """One seeding, in the order of its ``run``; what it made is counted in ``report``."""

    def __init__(self, rng: random.Random, seed: int):
        self.rng = rng
        self.seed = seed
        self.report = Report()
        self.now = timezone.now()
        self.password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        self.template: dict | None = None  # the model snapshot
        self.pdf_file = ""  # the one PDF rendered, which every seeded PDF shows
        self.allocated: dict[int, list[Decimal]] = {}  # branch id -> its allocations

    def made(self, what: str, count: int) -> int:
        self.report.made[what] += count
        return count

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
            self.made("head office", 1)
        held = head.memberships.filter(role=Role.HEAD_OFFICE_PLANNER).select_related("user")
        if held:
            return head, held[0].user
        taken = set(
            User.objects.filter(username__startswith="planner").values_list("username", flat=True)
        )
        names = itertools.chain(["planner"], (f"planner{i}" for i in itertools.count(2)))
        name = next(name for name in names if name not in taken)
        planner = User.objects.create(
            username=name, full_name=synthetic.person(self.rng), password=self.password
        )
        Membership.objects.create(user=planner, unit=head, role=Role.HEAD_OFFICE_PLANNER)
        self.made("users", 1)
        self.made("memberships", 1)
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
        self.made("cycles", 1)
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
                Unit(
                    code=code,
                    name=synthetic.place(rng, "分行"),
                    kind=UnitKind.REGION,
                    parent=self.head,
                )
                for code in codes
            ]
        )
        self.regions = made
        self.made("regions", len(made))
        sizes = [branches // regions + (i < branches % regions) for i in range(regions)]
        width = max(3, len(str(max(sizes))))
        subs, placed = [], []  # placed: (region, sub-branch index or None, code)
        for index, (region, size) in enumerate(zip(self.regions, sizes, strict=True)):
            tiers = min(rng.randint(2, 4), size // 4) if index % 2 == 0 else 0
            for k in range(tiers):
                subs.append(
                    Unit(
                        code=f"{region.code}-S{k + 1}",
                        name=synthetic.place(rng, "市分行"),
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
        self.subs = Unit.objects.bulk_create(subs)
        self.made("second-tier branches", len(subs))
        units = [
            Unit(
                code=code,
                name=synthetic.branch_name(rng),
                kind=UnitKind.BRANCH,
                parent=region if sub is None else self.subs[sub],
                region=region,
            )
            for region, sub, code in placed
        ]
        Unit.objects.bulk_create(units, batch_size=BATCH)
        self.made("branches", len(units))
        return self._people(units)

    def _people(self, units: list[Unit]) -> list[Branch]:
        overseers = [*self.regions, *self.subs]
        managers = [self._user("mgr", unit) for unit in units]
        reviewers = [self._user("rev", unit) for unit in overseers]
        User.objects.bulk_create([*managers, *reviewers], batch_size=BATCH)
        self.made("users", len(managers) + len(reviewers))
        memberships = [
            {"user_id": user.pk, "unit_id": unit.pk, "role": role}
            for people, held, role in (
                (managers, units, Role.BRANCH_MANAGER),
                (reviewers, overseers, Role.REGIONAL_REVIEWER),
            )
            for user, unit in zip(people, held, strict=True)
        ]
        self.made("memberships", insert(Membership, memberships))
        self.reviewer_of = {unit.pk: user for unit, user in zip(overseers, reviewers, strict=True)}
        return [
            Branch(unit, user.pk, user.full_name, self.reviewer_of[unit.parent_id].pk)
            for unit, user in zip(units, managers, strict=True)
        ]

    def _user(self, role: str, unit: Unit) -> User:
        username = f"{role}_{unit.code.lower()}"
        return User(
            username=username,
            full_name=synthetic.person(self.rng),
            email=f"{username}@example.com",
            password=self.password,
        )

    def _assign_states(self, branches: list[Branch]) -> None:
        """Each state for its share of the branches, in random places; the branch that
        gets the model plan goes first, since every version copies its snapshot."""
        states = [s for s, percent in STATES for _ in range(len(branches) * percent // 100)]
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
        """The chunk's plans with their sections, figures and history."""
        started = [branch for branch in chunk if branch.status]
        window = self._window()
        timelines = {b.unit.pk: self._timeline(b, window) for b in started}
        plans = [
            {
                "cycle_id": self.cycle.pk,
                "branch_id": b.unit.pk,
                "status": b.status,
                "created_by_id": b.manager_id,
                "created_at": timelines[b.unit.pk][0],
            }
            for b in started
        ]
        self.made("plans", insert(Plan, plans))
        self.report.made.update(f"  {b.status}" for b in started)
        plan_of = dict(  # branch id -> its plan's
            Plan.objects.filter(cycle=self.cycle, branch__in=[b.unit.pk for b in started])
            .values_list("branch_id", "pk")
        )  # fmt: skip
        for section in SECTIONS:
            insert(section.model, [{"plan_id": plan} for plan in plan_of.values()])
        figures = {b.unit.pk: branch_figures(b.unit.code, self.kpis, self.seed) for b in chunk}
        self._kpi_rows(started, plan_of, figures)
        if self.template is None and started and started[0].status in VERSIONED:
            self.template = self._model_snapshot(plan_of[started[0].unit.pk])
        versioned = [(plan_of[b.unit.pk], b) for b in started if b.status in VERSIONED]
        self._versions(versioned, figures, timelines)
        for branch in chunk:
            self.allocated[branch.unit.pk] = [
                self._near(kpi, f.target, (920, 1080))
                for kpi, f in zip(self.kpis, figures[branch.unit.pk][0], strict=True)
            ]

    def _kpi_rows(self, started: list[Branch], plan_of: dict, figures: dict) -> None:
        """Last year's results and this year's targets: a draft may lack either."""
        plans = list(plan_of.values())
        background = dict(Background.objects.filter(plan__in=plans).values_list("plan", "pk"))
        products = dict(Products.objects.filter(plan__in=plans).values_list("plan", "pk"))
        results, targets = [], []
        for branch in started:
            plan, final = plan_of[branch.unit.pk], figures[branch.unit.pk][0]
            # 0: neither yet, 1: last year's results, 2: this year's targets as well
            progress = self.rng.randrange(3) if branch.status == Status.DRAFT else 2
            if not progress:
                continue
            for kpi, f in zip(self.kpis, final, strict=True):
                results.append(
                    {
                        "background_id": background[plan],
                        "kpi_id": kpi.pk,
                        "last_target": f.last_target,
                        "last_actual": f.last_actual,
                    }
                )
                if progress == 2:
                    targets.append(
                        {
                            "products_id": products[plan],
                            "kpi_id": kpi.pk,
                            "target": f.target,
                            **dict(zip(QUARTERS, f.quarters, strict=True)),
                        }
                    )
        self.made("last year's results", insert(LastYearResult, results))
        self.made("KPI targets", insert(KpiTarget, targets))

    def _window(self) -> tuple[datetime.datetime, int]:
        """When plans were written: from the cycle's opening to today or its deadline."""
        start, end = (
            timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
            for day, hour in ((self.cycle.opens_on, 9), (self.cycle.deadline, 18))
        )
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
        # One draw a moment, however long the window (randrange's draws vary with it):
        # the same seed makes the same bank whatever the day.
        offsets = sorted(int(self.rng.random() * seconds) for _ in range(1 + len(actions)))
        moments = [start + datetime.timedelta(seconds=offset) for offset in offsets]
        return moments[0], list(zip(actions, moments[1:], strict=True))

    # -- the model plan ------------------------------------------------------------------

    def _model_snapshot(self, plan_id: int) -> dict:
        """Fill the plan with the demo's complete plan and freeze it, lightened: the
        versions of every seeded plan copy this snapshot."""
        self._copy_demo_plan(Plan.objects.select_related("created_by").get(pk=plan_id))
        plan = load_plan(Plan(pk=plan_id))
        return _lightened(snapshot_of(plan, facts=plan_facts(plan)))

    def _copy_demo_plan(self, plan: Plan) -> None:
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
                ours = type(content).objects.get(plan=plan).pk
                copied[type(content), content.pk] = content.pk = ours
                content.plan, content.updated_by, content.revision = plan, plan.created_by, 1
                content.save(force_update=True)
        pending = [
            d
            for d in self.demo
            if d.object._meta.app_label == "plans"
            and not isinstance(d.object, SectionContent | KpiRow | Kpi | Plan)
        ]
        while ready := [
            (d, links)
            for d in pending
            if (links := self._links(d.object, copied)) and self._linked_copied(d, copied)
        ]:
            for d, links in ready:
                pending.remove(d)
                old = d.object.pk
                for name, value in links.items():
                    setattr(d.object, name, plan.created_by_id if value is User else value)
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

    @staticmethod
    def _linked_copied(d, copied: dict) -> bool:
        """Whether the rows a row links to (many-to-many) are copied already: a product's
        strategies are listed after it in the fixture."""
        fields = d.object._meta
        return all(
            (fields.get_field(name).related_model, i) in copied
            for name, ids in d.m2m_data.items()
            for i in ids
        )

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

    def _versions(self, versioned: list[tuple[int, Branch]], figures, timelines) -> None:
        """Each submission a version with the model snapshot made the branch's, its
        history, its stored PDFs (the model's file) and the figures the roll-ups count."""
        versions, entries, latest = [], [], []
        for plan, branch in versioned:
            final, first = figures[branch.unit.pk]
            history = timelines[branch.unit.pk][1]
            count = sum(action == AuditEntry.Action.SUBMITTED for action, _at in history)
            status, version = Status.DRAFT, None
            for action, at in history:
                submitted = action == AuditEntry.Action.SUBMITTED
                if submitted:
                    number = version["number"] + 1 if version else 1
                    version = {
                        "plan_id": plan,
                        "number": number,
                        "snapshot": self._snapshot(branch, final if number == count else first),
                        "submitted_by_id": branch.manager_id,
                        "submitted_at": at,
                    }
                    versions.append(version)
                elif action == AuditEntry.Action.APPROVED:
                    version |= {"approved_by_id": branch.reviewer_id, "approved_at": at}
                returned = action == AuditEntry.Action.RETURNED
                entries.append(
                    {
                        "plan_id": plan,
                        "version": (plan, version["number"]),
                        "action": action,
                        "from_status": status,
                        "to_status": Status(action),
                        "actor_id": branch.manager_id if submitted else branch.reviewer_id,
                        "at": at,
                        "reason": self.rng.choice(synthetic.RETURN_REASONS) if returned else "",
                    }
                )
                status = Status(action)
            latest.append(version)
        self.made("versions", insert(Version, versions))
        ids = {
            (plan, number): pk
            for plan, number, pk in Version.objects.filter(
                plan__in=[plan for plan, _branch in versioned]
            ).values_list("plan", "number", "pk")
        }
        for entry in entries:
            entry["version_id"] = ids[entry.pop("version")]
        self.made("history entries", insert(AuditEntry, entries))
        if versions and not self.pdf_file:
            self._render_model_pdf(ids[latest[0]["plan_id"], latest[0]["number"]])
        self._pdfs(versions, ids)
        figures = [
            row
            for version in latest
            # As dicts: figure_rows makes its rows by calling ``model`` with keywords.
            for row in figure_rows(dict, version["plan_id"], self.kpis, version["snapshot"])
        ]
        self.made("submitted KPI figures", insert(KpiFigure, figures))

    def _snapshot(self, branch: Branch, figures: list[Figures]) -> dict:
        """The model snapshot with the branch's facts and figures. Shares every part it
        leaves alone with the model: snapshots are never changed in place."""
        by_code = {kpi.code: f for kpi, f in zip(self.kpis, figures, strict=True)}
        targets = {
            code: dict(zip(("target", *QUARTERS), map(str, (f.target, *f.quarters)), strict=True))
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

    def _render_model_pdf(self, version_id: int) -> None:
        """The model plan's PDF as submitted, rendered and stored the way a submission's
        is: one render (WeasyPrint takes seconds), the file of every seeded PDF."""
        version = Version.objects.select_related(
            "plan__cycle", "plan__branch", "submitted_by", "approved_by"
        ).get(pk=version_id)
        self.model_pdf = VersionPdf.objects.create(version=version, kind=VersionPdf.Kind.SUBMITTED)
        self.pdf_file = store_version_pdf(self.model_pdf)
        self.made("PDFs rendered", 1)

    def _pdfs(self, versions: list[dict], ids: dict) -> None:
        """Every version's PDFs stored, all showing the model's file."""
        pdfs = []
        for version in versions:
            version_id = ids[version["plan_id"], version["number"]]
            kinds = {VersionPdf.Kind.SUBMITTED: version["submitted_at"]}
            if "approved_at" in version:
                kinds[VersionPdf.Kind.APPROVED] = version["approved_at"]
            if version_id == self.model_pdf.version_id:
                del kinds[VersionPdf.Kind.SUBMITTED]  # the one rendered
            pdfs += [
                {
                    "version_id": version_id,
                    "kind": kind,
                    "state": VersionPdf.State.READY,
                    "file": self.pdf_file,
                    "attempts": 1,
                    "requested_at": at,
                    "rendered_at": at,
                }
                for kind, at in kinds.items()
            ]
        self.made("stored PDFs", insert(VersionPdf, pdfs))

    # -- targets cascaded down the tree ----------------------------------------------------

    def _allocations(self, branches: list[Branch]) -> None:
        """What each unit is given, bottom up: a branch about its plan's target, a unit
        above about what its units below were given, some short and some over."""
        below = defaultdict(list)  # unit id -> allocations of the units right below
        rows = []
        for branch in branches:
            values = self.allocated[branch.unit.pk]
            rows += self._allocation_rows(branch.unit.pk, values, branch.reviewer_id)
            below[branch.unit.parent_id].append(values)
        for sub in self.subs:
            values = self._combined(below[sub.pk])
            rows += self._allocation_rows(sub.pk, values, self.reviewer_of[sub.region_id].pk)
            below[sub.region_id].append(values)
        for region in self.regions:
            values = self._combined(below[region.pk])
            rows += self._allocation_rows(region.pk, values, self.planner.pk)
        self.made("allocated targets", insert(Allocation, rows))
        # Head office's own targets cover every region, also those seeded before.
        given = defaultdict(dict)
        regional = Allocation.objects.filter(kpi__cycle=self.cycle, unit__kind=UnitKind.REGION)
        for unit, kpi, target in regional.values_list("unit", "kpi", "target"):
            given[unit][kpi] = target
        values = self._combined([[g.get(kpi.pk) for kpi in self.kpis] for g in given.values()])
        own = self._allocation_rows(self.head.pk, values, self.planner.pk)
        Allocation.objects.bulk_create(
            [Allocation(**row) for row in own],
            update_conflicts=True,
            unique_fields=["kpi", "unit"],
            update_fields=["target", "set_by", "set_at"],
        )
        self.made("allocated targets", len(own))

    def _allocation_rows(self, unit: int, values: list, by: int) -> list[dict]:
        return [
            {
                "kpi_id": kpi.pk,
                "unit_id": unit,
                "target": value,
                "set_by_id": by,
                "set_at": self.now,
            }
            for kpi, value in zip(self.kpis, values, strict=True)
            if value is not None
        ]

    def _near(self, kpi: Kpi, value: Decimal, bounds: tuple[int, int]) -> Decimal:
        """``value`` give or take a few per mille, rounded as the KPI is written."""
        step = CENT if kpi.measure == Measure.PERCENT else WHOLE
        return rounded(value * share(self.rng, bounds, 1000), step)

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
