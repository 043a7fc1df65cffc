"""What the families reading links between a plan's rows (traceability, targeting,
coverage) share, beside ``reading``."""

from bankplan.documents.document import Document, Row

from .reading import links, table


def link(row: Row, name: str) -> str:
    """The name of the row a single-link column of ``row`` points to; "" for none."""
    return next(iter(links(row, name)), "")


def has_column(document: Document, section: str, name: str, column: str) -> bool:
    """Whether the table has the column: a version frozen before the column existed
    cannot be asked about it (it would read as linking nothing)."""
    found = table(document, section, name)
    return found is not None and any(c.name == column for c in found.columns)
