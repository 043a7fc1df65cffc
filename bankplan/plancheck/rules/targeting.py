"""The targeting family: the segments the plan pursues are what its products and
channels aim at, and its key accounts belong to them.

Links to segments are kept in a snapshot as the segments' names (``str(segment)``, the
segment's type and description, "农户 · 城郊种养大户"), the names the segments table
gives its rows as labels; a link is matched to a segment by that name. Two segments may
share a name (the same type, no description): a link by that name counts for each of
them, and a row linked to it aims at a pursued segment if either is pursued. An
ambiguous name can so hide a finding, never make one up.
"""

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bankplan.documents.document import Document, Row

from ..engine import Flag, Settings, Severity, rule
from .reading import has_column, link, links, rows, table, value

MARKET, SEGMENTS, KEY_ACCOUNTS = "target_market", "segments", "key_accounts"
PRODUCTS, LINES = "products", "lines"
CHANNELS, CHANNEL_ROWS = "channels", "rows"


def pursued(document: Document) -> list[Row]:
    return [row for row in rows(document, MARKET, SEGMENTS) if value(row, "chosen")]


@rule(
    "TGT-001",
    Severity.WARNS,
    (MARKET, PRODUCTS, CHANNELS),
    title=gettext_lazy("Every segment pursued has a product and a channel serving it"),
)
def pursued_segments_are_served(document: Document, settings: Settings) -> Iterator[Flag]:
    aimed_at = {link(row, "segment") for row in rows(document, PRODUCTS, LINES)}
    served = {
        name for row in rows(document, CHANNELS, CHANNEL_ROWS) for name in links(row, SEGMENTS)
    }
    ask_channels = has_column(document, CHANNELS, CHANNEL_ROWS, SEGMENTS)
    for segment in pursued(document):
        params = {"segment": segment.label}
        if segment.label not in aimed_at:
            yield Flag(
                _(
                    "No product aims at the pursued segment “%(segment)s”: make it the "
                    "target segment of a product in section 4, or stop pursuing it."
                )
                % params,
                anchor=SEGMENTS,
                row=segment.key,
            )
        if ask_channels and segment.label not in served:
            yield Flag(
                _(
                    "No channel serves the pursued segment “%(segment)s”: choose it among "
                    "the segments a channel serves in section 5, or stop pursuing it."
                )
                % params,
                anchor=SEGMENTS,
                row=segment.key,
            )


@rule(
    "TGT-002",
    Severity.WARNS,
    (PRODUCTS, MARKET),
    title=gettext_lazy("Every product targets a segment the plan pursues"),
)
def products_target_pursued_segments(document: Document, settings: Settings) -> Iterator[Flag]:
    # A version without the segments table (its section not written) cannot tell which
    # segments are pursued: only a product with none is flagged.
    known = table(document, MARKET, SEGMENTS) is not None
    chosen = {segment.label for segment in pursued(document)}
    for line in rows(document, PRODUCTS, LINES):
        segment = link(line, "segment")
        if not segment:
            message = _(
                "The product “%(product)s” targets no segment: choose one of the segments "
                "pursued in section 3."
            )
        elif known and segment not in chosen:
            message = _(
                "The product “%(product)s” targets “%(segment)s”, a segment the plan does "
                "not pursue: choose a pursued segment, or pursue this one in section 3."
            )
        else:
            continue
        yield Flag(
            message % {"product": line.label, "segment": segment}, anchor=LINES, row=line.key
        )


@rule(
    "TGT-003",
    Severity.WARNS,
    MARKET,
    title=gettext_lazy("Every key account belongs to a segment the plan pursues"),
)
def key_accounts_are_in_pursued_segments(document: Document, settings: Settings) -> Iterator[Flag]:
    if not has_column(document, MARKET, KEY_ACCOUNTS, "segment"):
        return  # a version from before key accounts named their segment
    chosen = {segment.label for segment in pursued(document)}
    for account in rows(document, MARKET, KEY_ACCOUNTS):
        segment = link(account, "segment")
        if not segment:
            message = _(
                "The key account “%(account)s” belongs to no segment: choose the segment "
                "it belongs to."
            )
        elif segment not in chosen:
            message = _(
                "The key account “%(account)s” belongs to “%(segment)s”, a segment the "
                "plan does not pursue: pursue that segment, or choose the pursued one the "
                "account belongs to."
            )
        else:
            continue
        yield Flag(
            message % {"account": account.label, "segment": segment},
            anchor=KEY_ACCOUNTS,
            row=account.key,
        )
