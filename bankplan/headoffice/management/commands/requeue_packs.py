"""Finish the PDF packs a worker left unfinished. Run daily (cron); safe at any time."""

from bankplan.headoffice import packs
from bankplan.lib.requeue import RequeueCommand


class Command(RequeueCommand):
    help = "Enqueue again the plans (or the assembly) of packs still running long after."

    def resume(self, requested_before):
        plans, assemblies = packs.resume_stale(requested_before)
        return f"{plans} plan(s) and {assemblies} pack assembl(ies) enqueued."
