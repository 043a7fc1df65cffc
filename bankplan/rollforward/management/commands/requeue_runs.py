"""Finish the roll-forward runs a worker left unfinished. Run daily (cron); safe at any time."""

from bankplan.lib.requeue import RequeueCommand
from bankplan.rollforward import runs


class Command(RequeueCommand):
    help = "Enqueue again the roll-forward runs still running long after they were asked for."

    def resume(self, requested_before):
        return f"{runs.resume_stale(requested_before)} roll-forward run(s) enqueued."
