"""The incentive simulator (issue 12): what the scorecard pays at 80 %, 100 % and 120 %
achievement of every line, what each deduction takes away at 1, 3 and 5 cases, and what
each client manager's portfolio scores: the lines of the KPIs the manager has a target
for (the portfolio targets of the incentives section), added up.

It reads the incentives chapter of a plan's document (``documents/document.py``): the
rows of its ``scorecard`` and ``deductions`` tables with their stored values (figures as
text). A live plan and a version's snapshot give the same rows, so the simulator shows
alike on the incentives step, the overview, a version's page and the PDF. A version made
before the scoring fields existed has no such values: its lines are "not structured".

Per line, at achievement ``a`` (in %)::

    score = 0                                      if a < threshold
          = min(max(a × points_per_point, floor), cap)   otherwise

(no threshold: scores from 0 %; no floor or cap: not bounded that way). A line without
points per point is not structured and scores nothing. Every score, total and deduction
is a Decimal quantized to 0.1 point, half up.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bankplan.documents.values import number
from bankplan.lib import figures

SCENARIOS = (Decimal(80), Decimal(100), Decimal(120))  # achievement, in %
CASES = (1, 3, 5)  # cases of a deduction in a year: one slip, a pattern, a habit
POINT = Decimal("0.1")


def points(value: Decimal) -> Decimal:
    return value.quantize(POINT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scoring:
    """A scorecard line's rule in figures."""

    points_per_point: Decimal
    threshold: Decimal | None = None
    floor: Decimal | None = None
    cap: Decimal | None = None

    def score(self, achievement: Decimal) -> Decimal:
        if self.threshold is not None and achievement < self.threshold:
            return points(Decimal(0))
        score = achievement * self.points_per_point
        if self.floor is not None:
            score = max(score, self.floor)
        if self.cap is not None:
            score = min(score, self.cap)
        return points(score)


@dataclass(frozen=True)
class LineScore:
    label: str
    weight: Decimal | None
    scoring: Scoring | None  # None: not structured, scores nothing
    scores: tuple[Decimal, ...]  # one per scenario (zeros when not structured)

    @property
    def structured(self) -> bool:
        return self.scoring is not None

    @property
    def shown_scores(self) -> list[str]:
        return [figures.wan(score, 1) for score in self.scores]

    @property
    def shown_weight(self) -> str:
        return figures.percent(self.weight)


def _taken(amount: Decimal) -> str:
    return "-" + figures.wan(amount, 1)


@dataclass(frozen=True)
class DeductionCost:
    label: str
    per_case: Decimal | None  # None: not structured
    cases: tuple[int, ...] = CASES

    @property
    def taken(self) -> tuple[Decimal, ...]:
        """The points taken at each number of ``cases`` (none when not structured)."""
        if self.per_case is None:
            return ()
        return tuple(points(self.per_case * n) for n in self.cases)

    @property
    def shown(self) -> list[str]:
        return [_taken(amount) for amount in self.taken]


@dataclass(frozen=True)
class PortfolioScore:
    """A client manager's portfolio on the scorecard."""

    manager: str
    lines: tuple[str, ...]  # the scorecard lines the portfolio is scored on
    weight: Decimal  # what those lines weigh in the scheme, in %
    scores: tuple[Decimal, ...]  # one per scenario

    @property
    def shown_scores(self) -> list[str]:
        return [figures.wan(score, 1) for score in self.scores]

    @property
    def shown_weight(self) -> str:
        return figures.percent(self.weight)


@dataclass(frozen=True)
class Simulation:
    scenarios: tuple[Decimal, ...]
    lines: tuple[LineScore, ...]
    totals: tuple[Decimal, ...]
    deductions: tuple[DeductionCost, ...]
    portfolios: tuple[PortfolioScore, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.lines and not self.deductions

    @property
    def shown_scenarios(self) -> list[str]:
        return [figures.percent(a).replace(".0%", "%") for a in self.scenarios]

    @property
    def shown_totals(self) -> list[str]:
        return [figures.wan(total, 1) for total in self.totals]

    @property
    def unstructured(self) -> int:
        return sum(not line.structured for line in self.lines)

    @property
    def cases(self) -> tuple[int, ...]:
        return CASES

    @property
    def taken(self) -> tuple[Decimal, ...]:
        """What every structured deduction together takes at each number of cases."""
        return tuple(
            points(sum((d.taken[i] for d in self.deductions if d.taken), Decimal(0)))
            for i in range(len(CASES))
        )

    @property
    def shown_taken(self) -> list[str]:
        return [_taken(amount) for amount in self.taken]


def _value(row, name: str) -> Decimal | None:
    cell = row.by_name.get(name)
    return number(cell.value) if cell is not None else None


def scoring_of(row) -> Scoring | None:
    """A document row's rule in figures; None when it has no points per point (or was
    stored before the scoring fields existed)."""
    per_point = _value(row, "points_per_point")
    if per_point is None:
        return None
    return Scoring(
        points_per_point=per_point,
        threshold=_value(row, "threshold"),
        floor=_value(row, "floor"),
        cap=_value(row, "cap"),
    )


def _shown(row, name: str) -> str:
    cell = row.by_name.get(name)
    return cell.shown if cell is not None else ""


def portfolio_scores(lines: list[LineScore], target_rows, scenarios) -> tuple:
    """Each client manager's portfolio, in the order their targets are listed: the lines
    named after the KPIs they have a target for (a line's label is its KPI's name)."""
    managers: dict[str, set[str]] = {}
    for row in target_rows:
        if manager := _shown(row, "client_manager"):
            managers.setdefault(manager, set()).add(_shown(row, "kpi"))
    found = []
    for manager, kpis in managers.items():
        scored = [line for line in lines if line.label in kpis]
        found.append(
            PortfolioScore(
                manager=manager,
                lines=tuple(line.label for line in scored),
                weight=sum((line.weight or Decimal(0) for line in scored), Decimal(0)),
                scores=tuple(
                    points(sum((line.scores[i] for line in scored), Decimal(0)))
                    for i in range(len(scenarios))
                ),
            )
        )
    return tuple(found)


def simulate(scorecard_rows, deduction_rows, target_rows=(), scenarios=SCENARIOS) -> Simulation:
    """The simulation of a document's scorecard, deduction and portfolio target rows
    (``document.Row``)."""
    lines = []
    for row in scorecard_rows:
        scoring = scoring_of(row)
        scores = tuple(scoring.score(a) if scoring else points(Decimal(0)) for a in scenarios)
        lines.append(LineScore(row.label, _value(row, "weight"), scoring, scores))
    totals = tuple(
        points(sum((line.scores[i] for line in lines), Decimal(0))) for i in range(len(scenarios))
    )
    deductions = tuple(
        DeductionCost(
            row.label,
            None if (per_case := _value(row, "points_per_case")) is None else points(per_case),
        )
        for row in deduction_rows
    )
    portfolios = portfolio_scores(lines, target_rows, scenarios)
    return Simulation(tuple(scenarios), tuple(lines), totals, deductions, portfolios)


def simulate_chapter(chapter) -> Simulation | None:
    """The simulation of an incentives chapter; None when it has neither table."""
    scorecard = chapter.parts.get("scorecard")
    deductions = chapter.parts.get("deductions")
    targets = chapter.parts.get("portfolio_targets")
    if scorecard is None and deductions is None:
        return None
    return simulate(
        scorecard.rows if scorecard is not None else (),
        deductions.rows if deductions is not None else (),
        targets.rows if targets is not None else (),
    )
