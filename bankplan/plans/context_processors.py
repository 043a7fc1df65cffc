from bankplan.organisation.scope import scope_of


def navigation(request):
    """What the header offers: the dashboard and the review queue to those who oversee
    branches (head office and reviewers); the audit log to head office."""
    scope = scope_of(request.user)
    return {
        "show_review_queue": scope.oversees,
        "show_dashboard": scope.oversees,
        "show_audit_log": scope.whole_bank,
    }
