"""Mail sent by the review workflow. Called after the transaction commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from bankplan.organisation.models import Membership, Role


def emails_of(unit, role) -> list[str]:
    members = Membership.objects.filter(unit=unit, role=role).select_related("user")
    return sorted({m.user.email for m in members if m.user.email and m.user.is_active})


def _send(template: str, recipients: list[str], context: dict) -> int:
    if not recipients:
        return 0
    # Mail goes out in the bank's language, whoever triggered it.
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site": settings.SITE_URL, **context}
        subject = render_to_string(f"reviews/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"reviews/email/{template}.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def plan_link(plan) -> str:
    return settings.SITE_URL + reverse("plans:overview", args=[plan.pk])


def plan_submitted(version) -> int:
    plan = version.plan
    return _send(
        "submitted",
        emails_of(plan.branch.parent, Role.REGIONAL_REVIEWER),
        {
            "plan": plan,
            "version": version,
            "link": settings.SITE_URL + reverse("reviews:version", args=[plan.pk, version.number]),
        },
    )


def plan_returned(plan, entry) -> int:
    return _send(
        "returned",
        emails_of(plan.branch, Role.BRANCH_MANAGER),
        {"plan": plan, "entry": entry, "link": plan_link(plan)},
    )


def plan_approved(plan, version) -> int:
    return _send(
        "approved",
        emails_of(plan.branch, Role.BRANCH_MANAGER),
        {"plan": plan, "version": version, "link": plan_link(plan)},
    )


def deadline_reminder(cycle, branch, plan) -> int:
    return _send(
        "reminder",
        emails_of(branch, Role.BRANCH_MANAGER),
        {
            "cycle": cycle,
            "branch": branch,
            "plan": plan,
            "link": plan_link(plan) if plan else settings.SITE_URL + reverse("plans:list"),
        },
    )
