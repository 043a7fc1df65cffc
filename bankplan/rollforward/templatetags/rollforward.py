"""The plan pages' pieces of roll forward: the start buttons on the plan list and the
notice of what a rolled plan could not carry over. One query each."""

from django import template

from ..models import RolledPlan
from ..notice import notes
from ..services import previous_plan

register = template.Library()


@register.inclusion_tag("rollforward/includes/start_buttons.html", takes_context=True)
def start_buttons(context, cycle, branch):
    """Start empty, or (where the branch has an approved plan of an earlier cycle) from it."""
    return {
        "cycle": cycle,
        "branch": branch,
        "source": previous_plan(cycle=cycle, branch=branch),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("rollforward/includes/notice.html", takes_context=True)
def rolled_forward_notice(context, plan):
    """Until the author dismisses it: where the plan started from and what it dropped."""
    rolled = (
        RolledPlan.objects.filter(plan=plan, dismissed_at__isnull=True)
        .select_related("source__cycle")
        .first()
    )
    request = context.get("request")
    return {
        "rolled": rolled,
        "notes": notes(rolled.dropped) if rolled else [],
        "plan": plan,
        "back": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
