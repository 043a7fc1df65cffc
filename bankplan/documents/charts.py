"""SVG charts of a plan's targets, drawn the same way for the web page and the PDF.

Figures of different units (万元, 户, %) cannot share one axis, so both charts are
relative: the change of each target over last year's actual, and how each year's
figure is shared across the quarters.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from bankplan.lib import figures
from bankplan.plans.models import Direction, Measure

from .document import Document, Kpi
from .values import number

WIDTH = 680
LABEL_WIDTH = 190
ROW_HEIGHT = 22
TOP = 26
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
QUARTER_COLOURS = ("#8a1c1c", "#c0504d", "#e6a23c", "#7f8c8d")


@dataclass(frozen=True)
class KpiFigures:
    kpi: Kpi
    last_actual: Decimal | None
    target: Decimal | None
    quarters: tuple[Decimal | None, ...]

    @property
    def change(self) -> Decimal | None:
        """Target over last year's actual, in percent."""
        if self.target is None or not self.last_actual:
            return None
        return (self.target - self.last_actual) / self.last_actual * 100

    @property
    def change_text(self) -> str:
        """A ratio's change reads in percentage points (1.32% -> 1.25% is -0.07 points,
        not -5.3%); every other figure's in percent."""
        if self.kpi.measure == Measure.PERCENT:
            return figures.points(self.target - self.last_actual)
        return f"{self.change:+.1f}%"

    @property
    def improves(self) -> bool:
        change = self.change or 0
        return change <= 0 if self.kpi.direction == Direction.LOWER else change >= 0

    def shown(self, value) -> str:
        if self.kpi.measure == Measure.WAN_YUAN:
            return figures.wan_or_yi(value)  # with its unit: the chart has no unit column
        return figures.in_measure(value, self.kpi.measure)


# The columns of the KPI tables (last year's results, this year's targets) a chart reads.
LAST_ACTUAL, TARGET, QUARTERS = "last_actual", "target", ("q1", "q2", "q3", "q4")


def kpi_figures(document: Document) -> list[KpiFigures]:
    """Last year's actual, this year's target and its quarters for every KPI of the
    document's KPI tables, in the order they first appear."""
    found: dict[str, dict] = {}
    for row in document.kpi_rows:
        figures_of = found.setdefault(row.kpi.code, {"kpi": row.kpi})
        for name, cell in row.by_name.items():
            if name in (LAST_ACTUAL, TARGET, *QUARTERS):
                figures_of[name] = number(cell.value)
    return [
        KpiFigures(
            kpi=found_figures["kpi"],
            last_actual=found_figures.get(LAST_ACTUAL),
            target=found_figures.get(TARGET),
            quarters=tuple(found_figures.get(q) for q in QUARTERS),
        )
        for found_figures in found.values()
    ]


def _svg(title: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{title}" font-family="{font}" '
        'font-size="11"><title>{title}</title>{body}</svg>',
        w=WIDTH,
        h=height,
        title=title,
        font=FONT,
        body=body,
    )


def _legend(entries: list[tuple[str, str]], y: int = 4, step: int = 110) -> SafeString:
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}">{}</text>',
        (
            (LABEL_WIDTH + i * step, y, colour, LABEL_WIDTH + 14 + i * step, y + 9, label)
            for i, (label, colour) in enumerate(entries)
        ),
    )


def _bar(x: float, y: float, width: float, colour: str, height: int = ROW_HEIGHT - 8):
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
        f"{x:.1f}",
        y,
        f"{width:.1f}",
        height,
        colour,
    )


def change_chart(rows: list[KpiFigures]) -> SafeString:
    """Horizontal bars: each target's change over last year, green when it improves."""
    rows = [row for row in rows if row.change is not None]
    if not rows:
        return SafeString("")
    biggest = max(abs(row.change) for row in rows) or Decimal(1)
    values_width = 200  # "+10.2%  5.86 亿元" right of the bars
    axis = LABEL_WIDTH + (WIDTH - LABEL_WIDTH - values_width) / 2
    half = (WIDTH - LABEL_WIDTH - values_width) / 2 - 4
    parts = [
        format_html(
            '<text x="{}" y="14" font-weight="bold">{}</text>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>',
            0,
            _("Target against last year's actual"),
            axis,
            TOP - 6,
            axis,
            TOP + ROW_HEIGHT * len(rows),
        )
    ]
    for i, row in enumerate(rows):
        y = TOP + i * ROW_HEIGHT
        length = float(abs(row.change) / biggest) * half
        x = axis if row.change >= 0 else axis - length
        parts.append(
            format_html(
                '<text x="0" y="{ty}">{label}</text>'
                '<rect x="{x}" y="{by}" width="{w}" height="{h}" fill="{colour}"/>'
                '<text x="{vx}" y="{ty}" fill="#333">{change}  {target}</text>',
                ty=y + 14,
                label=row.kpi.name,
                x=f"{x:.1f}",
                by=y + 4,
                w=f"{max(length, 1):.1f}",
                h=ROW_HEIGHT - 8,
                colour="#2e7d32" if row.improves else "#c62828",
                vx=WIDTH - values_width + 5,
                change=row.change_text,
                target=row.shown(row.target),
            )
        )
    height = TOP + ROW_HEIGHT * len(rows) + 6
    return _svg(_("Target against last year's actual"), height, SafeString("".join(parts)))


def quarter_chart(rows: list[KpiFigures]) -> SafeString:
    """Stacked bars: the share of each quarter in the year's figure (or growth)."""
    rows = [
        row
        for row in rows
        if row.kpi.measure != Measure.PERCENT
        and None not in row.quarters
        and all(q >= 0 for q in row.quarters)
        and sum(row.quarters) > 0
    ]
    if not rows:
        return SafeString("")
    span = WIDTH - LABEL_WIDTH - 10
    legend = _legend(
        [(_("Q%(n)d") % {"n": i + 1}, colour) for i, colour in enumerate(QUARTER_COLOURS)],
        step=70,
    )
    parts = [
        format_html('<text x="0" y="14" font-weight="bold">{}</text>', _("Quarterly split")),
        legend,
    ]
    for i, row in enumerate(rows):
        y = TOP + i * ROW_HEIGHT
        total = sum(row.quarters)
        x = float(LABEL_WIDTH)
        parts.append(format_html('<text x="0" y="{}">{}</text>', y + 14, row.kpi.name))
        for quarter, colour in zip(row.quarters, QUARTER_COLOURS, strict=True):
            share = float(quarter / total)
            width = share * span
            parts.append(_bar(x, y + 4, width, colour))
            if share >= 0.08:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" fill="#fff" font-size="9">{}%</text>',
                        f"{x + 3:.1f}",
                        y + 14,
                        round(share * 100),
                    )
                )
            x += width
    height = TOP + ROW_HEIGHT * len(rows) + 6
    return _svg(_("Quarterly split"), height, SafeString("".join(parts)))


# Head office's dashboard draws with the same pen: the roll-ups of a cycle by region.
STATE_COLOURS = ("#b0b7bf", "#7f8c8d", "#3d8bd4", "#e6a23c", "#2e7d32")
LAST_YEAR_COLOUR, TARGET_COLOUR = "#9aa5b1", "#8a1c1c"


def state_chart(title: str, states: list[str], rows: list[tuple[str, list[int]]]) -> SafeString:
    """Stacked bars: each group's branches by the state of their plan, left to right
    from not started to approved."""
    rows = [(label, counts) for label, counts in rows if sum(counts)]
    if not rows:
        return SafeString("")
    span = WIDTH - LABEL_WIDTH - 60
    parts = [_legend(list(zip(states, STATE_COLOURS, strict=True)), step=95)]
    for i, (label, counts) in enumerate(rows):
        y = TOP + i * ROW_HEIGHT
        total = sum(counts)
        x = float(LABEL_WIDTH)
        parts.append(format_html('<text x="0" y="{}">{}</text>', y + 14, label))
        for value, colour in zip(counts, STATE_COLOURS, strict=True):
            width = value / total * span
            if value:
                parts.append(_bar(x, y + 4, width, colour))
            x += width
        parts.append(format_html('<text x="{}" y="{}">{}</text>', f"{x + 5:.1f}", y + 14, total))
    height = TOP + ROW_HEIGHT * len(rows) + 6
    return _svg(title, height, SafeString("".join(parts)))


def comparison_chart(
    title: str, rows: list[tuple[str, Decimal | None, Decimal | None]], write
) -> SafeString:
    """Paired bars per group: last year's actual over this year's target, on one scale
    (one KPI, so one unit); ``write`` writes a figure with its unit."""
    rows = [(label, last, target) for label, last, target in rows if last or target]
    if not rows:
        return SafeString("")
    biggest = max(max(last or 0, target or 0) for _label, last, target in rows) or Decimal(1)
    values_width = 150
    span = WIDTH - LABEL_WIDTH - values_width
    pair = ROW_HEIGHT + 12
    parts = [_legend([(_("Last year's actual"), LAST_YEAR_COLOUR), (_("Target"), TARGET_COLOUR)])]
    for i, (label, last, target) in enumerate(rows):
        y = TOP + i * pair
        parts.append(format_html('<text x="0" y="{}">{}</text>', y + 16, label))
        for j, (value, colour) in enumerate(((last, LAST_YEAR_COLOUR), (target, TARGET_COLOUR))):
            if value is None:
                continue
            width = max(float(value / biggest) * span, 1) if value > 0 else 1
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="12" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="10" fill="#333">{}</text>',
                    LABEL_WIDTH,
                    y + 3 + j * 13,
                    f"{width:.1f}",
                    colour,
                    f"{LABEL_WIDTH + width + 4:.1f}",
                    y + 13 + j * 13,
                    write(value),
                )
            )
    height = TOP + pair * len(rows) + 4
    return _svg(title, height, SafeString("".join(parts)))
