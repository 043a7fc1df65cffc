"""Mail is plain text: what a user typed goes out as typed, never HTML-escaped."""

import pytest
from django.core import mail

from bankplan.reviews import services

pytestmark = pytest.mark.usefixtures("quick_pdf")

TYPED = "R&D 预算 <b>偏高</b> \"需复核\" 'Q1'"


def test_a_return_reason_is_mailed_as_typed(demo, committed):
    plan = demo["plan"]
    committed(services.submit_plan, plan_id=plan.pk, by=demo["manager"])
    mail.outbox.clear()
    committed(services.return_plan, plan_id=plan.pk, by=demo["reviewer"], reason=TYPED)
    (sent,) = mail.outbox
    assert TYPED in sent.body
    assert "&amp;" not in sent.body and "&lt;" not in sent.body


def test_names_in_subjects_and_bodies_are_not_escaped(demo, committed):
    plan = demo["plan"]
    plan.cycle.name = "2027 R&D <计划>"
    plan.cycle.save()
    committed(services.submit_plan, plan_id=plan.pk, by=demo["manager"])
    (sent,) = mail.outbox
    assert "2027 R&D <计划>" in sent.subject + sent.body
    assert "&amp;" not in sent.subject + sent.body
