"""What the plan's own pages show of its review: versions, history, comment threads."""

from django.db.models import Prefetch

from bankplan.plans.access import allowed_actions

from .models import Comment


def review_context(plan, user) -> dict:
    threads = plan.threads.select_related("version", "resolved_by").prefetch_related(
        Prefetch("comments", queryset=Comment.objects.select_related("author"))
    )
    by_section = {}
    for thread in threads:
        by_section.setdefault(thread.section, []).append(thread)
    return {
        "actions": allowed_actions(user, plan),
        "versions": list(plan.versions.select_related("submitted_by", "approved_by")),
        "history": list(plan.audit_entries.select_related("actor", "version")),
        "threads_by_section": by_section,
    }
