from bankplan.organisation.scope import scope_of


def navigation(request):
    """What the header offers: the dashboard and the review queue to those who oversee
    branches (head office and reviewers)."""
    oversees = scope_of(request.user).oversees
    return {"show_review_queue": oversees, "show_dashboard": oversees}
