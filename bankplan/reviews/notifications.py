"""Mail sent by the review workflow. Called after the transaction commits."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from bankplan.organisation.models import Membership, Role
from bankplan.plans.models import Status


def emails_of(unit, role) -> list[str]:
    members = Membership.objects.filter(unit=unit, role=role).select_related("user")
    return sorted({m.user.email for m in members if m.user.email and m.user.is_active})


def message(template: str, recipients: list[str], context: dict) -> EmailMessage:
    """A mail from ``{template}_subject.txt`` and ``{template}.txt``, not sent yet (many
    can then go out over one connection)."""
    # Mail goes out in the bank's language, whoever triggered it.
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site": settings.SITE_URL, **context}
        subject = _text(f"{template}_subject.txt", context).strip()
        body = _text(f"{template}.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def _text(template: str, context: dict) -> str:
    """A plain-text template, with nothing HTML-escaped (settings.TEMPLATES "text")."""
    return get_template(template, using="text").render(context)


def _send(template: str, recipients: list[str], context: dict) -> int:
    if not recipients:
        return 0
    return message(f"reviews/email/{template}", recipients, context).send()


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


def deadline_reminder(
    *, cycle, branch: str, recipients: list[str], deadline, status: str, plan_id: int | None, today
) -> EmailMessage:
    """The reminder to the managers of a branch whose plan is not in: ``status`` is the
    plan's (empty when not started), ``deadline`` the branch's own, extensions included."""
    return message(
        "reviews/email/reminder",
        recipients,
        {
            "cycle": cycle,
            "branch": branch,
            "status": Status(status).label if status else "",
            "deadline": deadline,
            "extended": deadline > cycle.deadline,
            "late": deadline < today,
            "link": settings.SITE_URL
            + (reverse("plans:overview", args=[plan_id]) if plan_id else reverse("plans:list")),
        },
    )
