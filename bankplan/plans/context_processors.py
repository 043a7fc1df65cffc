from bankplan.organisation.models import Role
from bankplan.organisation.scope import memberships_of


def navigation(request):
    """What the header offers: the review queue only to those who review."""
    user = request.user
    reviews = user.is_authenticated and any(
        role in {Role.REGIONAL_REVIEWER, Role.HEAD_OFFICE_PLANNER}
        for role, _unit in memberships_of(user)
    )
    return {"show_review_queue": reviews}
