"""Every rule family; importing this package registers their rules with the engine."""

from . import swot  # noqa: F401
