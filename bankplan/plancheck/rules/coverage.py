"""The coverage family: the people the plan counts on cover what it promises, the task
force every key account and the training calendar every product.

Links are kept in a snapshot as the linked rows' names (a key account's or a product's
name), matched to the rows by their labels. Two key accounts or products may share a
name: a link by that name covers each of them, so an ambiguous name can hide a finding,
never make one up. A task-force target named in free text like a key account covers it
too (a plan written before targets chose among the key accounts).
"""

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document

from ..engine import Flag, Settings, Severity, rule
from .reading import has_column, link, links, rows, text, value

MARKET, KEY_ACCOUNTS = "target_market", "key_accounts"
STAFFING, TASK_FORCE, TRAININGS = "staffing", "task_force", "trainings"
PRODUCTS, LINES = "products", "lines"


@rule(
    "CAP-002",
    Severity.WARNS,
    (MARKET, STAFFING),
    title=gettext_lazy("The task force covers every key account"),
)
def task_force_covers_key_accounts(document: Document, settings: Settings) -> Iterator[Flag]:
    if not has_column(document, STAFFING, TASK_FORCE, "key_account"):
        return  # a version from before task-force targets chose a key account
    targets = rows(document, STAFFING, TASK_FORCE)
    covered = {link(row, "key_account") for row in targets}
    covered |= {text(value(row, "account")) for row in targets}
    for account in rows(document, MARKET, KEY_ACCOUNTS):
        if account.label not in covered:
            yield Flag(
                _(
                    "No task-force target is set on the key account “%(account)s”: add the "
                    "month it is worked on to the task force in section 6, with its client "
                    "manager and sponsor."
                )
                % {"account": account.label},
                anchor=KEY_ACCOUNTS,
                row=account.key,
            )


@rule(
    "TRN-001",
    Severity.WARNS,
    (PRODUCTS, STAFFING),
    title=gettext_lazy("Training covers every product promoted this year"),
)
def training_covers_products(document: Document, settings: Settings) -> Iterator[Flag]:
    if not has_column(document, STAFFING, TRAININGS, "products"):
        return  # a version from before trainings named their products
    covered = {
        name for row in rows(document, STAFFING, TRAININGS) for name in links(row, "products")
    }
    for line in rows(document, PRODUCTS, LINES):
        if line.label not in covered:
            yield Flag(
                _(
                    "No training covers the product “%(product)s”: add it to the products "
                    "a training session in section 6 covers, so the staff can sell it."
                )
                % {"product": line.label},
                anchor=LINES,
                row=line.key,
            )
