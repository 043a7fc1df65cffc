"""Keyset pagination: a page is "the next N after this key", so page 400 of a list of
20,000 branches costs what page 1 does (an offset makes the database walk every row
before it). Pages link forward and back by the first and last keys they show."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KeysetPage:
    items: list
    after: str | None  # key of the last item, when there is a next page
    before: str | None  # key of the first item, when there is a previous page


def keyset_page(
    queryset,
    key: str,
    *,
    after: str = "",
    before: str = "",
    size: int = 50,
    descending: bool = False,
):
    """The page of ``queryset`` (ordered by a unique ``key``, highest first if
    ``descending``) after ``after`` or before ``before``; one query (it reads one item
    more to know whether another page follows)."""
    onward, back = ("lt", "gt") if descending else ("gt", "lt")
    forward, backward = (f"-{key}", key) if descending else (key, f"-{key}")
    if before:
        rows = list(queryset.filter(**{f"{key}__{back}": before}).order_by(backward)[: size + 1])
        items = rows[:size][::-1]
        has_previous, has_next = len(rows) > size, True
    else:
        if after:
            queryset = queryset.filter(**{f"{key}__{onward}": after})
        rows = list(queryset.order_by(forward)[: size + 1])
        items = rows[:size]
        has_previous, has_next = bool(after), len(rows) > size
    return KeysetPage(
        items,
        after=_key(items[-1], key) if has_next and items else None,
        before=_key(items[0], key) if has_previous and items else None,
    )


def _key(item, key: str):
    for part in key.split("__"):
        item = item[part] if isinstance(item, dict) else getattr(item, part)
    return item
