"""Every rule family; importing this package registers their rules with the engine, in
the order findings of one severity are listed: what a section lacks first."""

from . import capacity, completeness, incentives, numbers, swot  # noqa: F401

# isort: split
# Links between rows, after what a section lacks and the SWOT grid's own rules.
from . import coverage, targeting, traceability  # noqa: F401
