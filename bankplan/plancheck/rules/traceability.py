"""The traceability family: every SWOT strategy is carried out by something the plan
does, a product, a channel activity, a task-force target or a training linked to it.

An action's strategies are kept in a snapshot as the strategies' names (``str(strategy)``,
"SO: 借网点优势…"), the names the strategies table gives its rows as labels, and are found
again by name (see ``rules/swot.py``). Two strategies may share a name (the first 30
characters of their text): a link by that name counts for both, so an ambiguous name can
hide a strategy carried out nowhere but never flags one that is carried out.
"""

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document

from ..engine import Flag, Settings, Severity, rule
from .reading import has_column, links, rows, short, value

SECTION, STRATEGIES = "swot", "strategies"
# The tables whose rows carry out strategies: (section, table).
ACTIONS = (
    ("products", "lines"),
    ("channels", "activities"),
    ("staffing", "task_force"),
    ("staffing", "trainings"),
)


@rule(
    "TRC-001",
    Severity.WARNS,
    (SECTION, *dict.fromkeys(section for section, _table in ACTIONS)),
    title=gettext_lazy("Every SWOT strategy is carried out by a product, activity or person"),
)
def strategies_are_carried_out(document: Document, settings: Settings) -> Iterator[Flag]:
    actions = [a for a in ACTIONS if has_column(document, *a, STRATEGIES)]
    if not actions:
        return  # a version from before actions named their strategies
    carried = {
        name
        for action in actions
        for row in rows(document, *action)
        for name in links(row, STRATEGIES)
    }
    for strategy in rows(document, SECTION, STRATEGIES):
        if strategy.label not in carried:
            yield Flag(
                _(
                    "Nothing in the plan carries out the strategy “%(strategy)s”: link it "
                    "to the products, channel activities, task-force targets or trainings "
                    "that carry it out, or remove it."
                )
                % {"strategy": short(str(value(strategy, "text") or strategy.label))},
                anchor=STRATEGIES,
                row=strategy.key,
            )
