"""The SWOT family: the grid has all four quadrants, every weakness and threat that
matters is answered by a strategy, and each strategy combines what its type says.

A strategy's linked items are kept in a snapshot as the items' names (``str(item)``,
"W: 网点少…"), the same names the items table gives its rows as labels; a strategy's
items are found again by name in the items table of the same document. A name no item
answers to any more (an older snapshot) still tells its kind by its prefix.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document, Table
from bankplan.plans.sections.base import Priority
from bankplan.plans.sections.swot import ItemKind, StrategyKind

from ..engine import Flag, Settings, Severity, rule
from .reading import all_of, either, links, quoted, short, value

SECTION = "swot"
ITEMS, STRATEGIES = "items", "strategies"
ADDRESSED_BY = {"W": "WO / WT", "T": "ST / WT"}  # the strategy types answering a kind
_PREFIX = re.compile(r"^([SWOT]): ")  # how an item's name starts: its kind


@dataclass(frozen=True)
class Item:
    key: str
    name: str  # as the strategies link it
    kind: str
    priority: str
    text: str


def _tables(document: Document) -> tuple[Table | None, Table | None] | None:
    """The items and strategies tables; None when the plan has no SWOT section."""
    chapter = document.chapter(SECTION)
    if chapter is None:
        return None
    tables = {table.name: table for table in chapter.tables}
    return tables.get(ITEMS), tables.get(STRATEGIES)


def _items(table: Table | None) -> list[Item]:
    if table is None:
        return []
    return [
        Item(
            key=row.key,
            name=row.label,
            kind=str(value(row, "kind") or ""),
            priority=str(value(row, "priority") or ""),
            text=short(str(value(row, "text") or row.label)),
        )
        for row in table.rows
    ]


def _kind_label(table: Table | None, kind: str) -> str:
    """A kind as the snapshot names it (in the document's language), else as today."""
    column = next((c for c in table.columns if c.name == "kind"), None) if table else None
    if column is not None and column.choices:
        return column.choice_label(kind)
    return str(ItemKind(kind).label) if kind in ItemKind.values else kind


@rule(
    "SWOT-001",
    Severity.BLOCKS,
    SECTION,
    title=gettext_lazy("Each quadrant of the SWOT grid has at least one item"),
)
def every_quadrant_has_an_item(document: Document, settings: Settings) -> Iterator[Flag]:
    if (tables := _tables(document)) is None:
        return
    items_table, _strategies = tables
    present = {item.kind for item in _items(items_table)}
    for kind in ItemKind.values:
        if kind not in present:
            yield Flag(
                _("The SWOT grid has no “%(kind)s” item: add at least one, short and specific.")
                % {"kind": _kind_label(items_table, kind)},
                anchor=ITEMS,
            )


@rule(
    "SWOT-002",
    Severity.WARNS,
    SECTION,
    title=gettext_lazy("Every high-priority weakness and threat is addressed by a strategy"),
)
def high_priorities_are_addressed(document: Document, settings: Settings) -> Iterator[Flag]:
    if (tables := _tables(document)) is None:
        return
    items_table, strategies = tables
    strategy_rows = strategies.rows if strategies else ()
    cited = {name for row in strategy_rows for name in links(row, "items")}
    for item in _items(items_table):
        if item.kind in ADDRESSED_BY and item.priority == Priority.HIGH and item.name not in cited:
            yield Flag(
                _(
                    "No strategy addresses the high-priority “%(kind)s” item “%(item)s”: "
                    "add a %(types)s strategy that cites it, or lower the item's priority."
                )
                % {
                    "kind": _kind_label(items_table, item.kind),
                    "item": item.text,
                    "types": ADDRESSED_BY[item.kind],
                },
                anchor=ITEMS,
                row=item.key,
            )


@rule(
    "SWOT-003",
    Severity.WARNS,
    SECTION,
    title=gettext_lazy("Every strategy cites items of the kinds its type combines"),
)
def strategies_combine_their_kinds(document: Document, settings: Settings) -> Iterator[Flag]:
    if (tables := _tables(document)) is None:
        return
    items_table, strategies = tables
    if strategies is None:
        return
    items = _items(items_table)
    by_name = {item.name: item.kind for item in items}
    texts = {item.name: item.text for item in items}
    for strategy in strategies.rows:
        kind = str(value(strategy, "kind") or "")
        if kind not in StrategyKind.values:
            continue  # a type no longer known: nothing to compare with
        names = links(strategy, "items")
        kinds = {name: by_name.get(name) or _kind_from_name(name) for name in names}
        found = set(kinds.values())
        params = {"type": kind, "strategy": short(str(value(strategy, "text") or ""))}
        missing = [k for k in kind if k not in found]
        if missing:
            labels = [quoted(_kind_label(items_table, k)) for k in missing]
            yield Flag(
                _(
                    "The %(type)s strategy “%(strategy)s” cites no %(kinds)s item: "
                    "it combines the two kinds, so link at least one of each."
                )
                % {**params, "kinds": either(*labels)},
                anchor=STRATEGIES,
                row=strategy.key,
            )
        extra = [name for name, of in kinds.items() if of and of not in kind]
        if extra:
            named = [quoted(texts.get(name) or _strip_kind(name)) for name in extra]
            yield Flag(
                _(
                    "The %(type)s strategy “%(strategy)s” also cites %(items)s, of a kind "
                    "its type does not combine: unlink them, or change its type."
                )
                % {**params, "items": all_of(named)},
                anchor=STRATEGIES,
                row=strategy.key,
            )


def _kind_from_name(name: str) -> str:
    match = _PREFIX.match(name)
    return match.group(1) if match else ""


def _strip_kind(name: str) -> str:
    return _PREFIX.sub("", name)
