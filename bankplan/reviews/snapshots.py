"""What a submitted version freezes: the plan as plain data, labels and kinds included
(the format is described in ``documents/snapshot.py``; versions are read back as
documents by ``documents/build.py``)."""

from bankplan.documents.snapshot import plan_facts, snapshot_of
from bankplan.plans.progress import load_plan


def snapshot_plan(plan, *, loaded: bool = False) -> dict:
    """``loaded``: the plan comes from ``load_plan`` already."""
    plan = plan if loaded else load_plan(plan)
    return snapshot_of(plan, facts=plan_facts(plan))
