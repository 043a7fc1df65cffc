"""Ids that come from the client: in a query string, a form field, a posted row."""


def is_id(value: str) -> bool:
    """Whether ``value`` could be a row's id: ASCII digits a 64-bit integer column takes.
    Python's isdigit() alone takes "²" (which int() refuses), and 10**22 overflows
    SQLite's integers (a 500, not a refusal)."""
    return value.isascii() and value.isdigit() and len(value) < 19
