"""A cycle's life: reminders (daily and on demand), deadline extensions, closing."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from bankplan.headoffice.deadlines import deadline_info, granted, late_filter
from bankplan.headoffice.models import DeadlineExtension
from bankplan.headoffice.reminders import send_reminders
from bankplan.organisation.models import Unit, UnitKind, User
from bankplan.plans.models import Cycle, Plan, Status
from bankplan.reviews import services
from tests.conftest import make_user

DAY = datetime.timedelta(days=1)
# The fixture cycle is due on 31 December 2026: a week later every branch is late.
AFTER = datetime.date(2027, 1, 7)


class CountingMail(locmem.EmailBackend):
    """The test outbox, counting the connections made to the mail server."""

    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingMail.opened += 1


@pytest.fixture
def counting_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.CountingMail"}}
    CountingMail.opened = 0
    return CountingMail


@pytest.fixture
def managers(manager_of):
    """managers("a", "b"): the managers of those branches, with a mail address each."""

    def make(*codes):
        made = []
        for code in codes:
            manager = manager_of(code.upper())
            User.objects.filter(pk=manager.pk).update(email=f"{code.lower()}@bank.test")
            made.append(manager)
        return made

    return make


def reminded() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def extend(cycle, unit, deadline, by, reason="暴雨停电"):
    return DeadlineExtension.objects.create(
        cycle=cycle, unit=unit, deadline=deadline, reason=reason, granted_by=by
    )


def in_bank_language(day: datetime.date) -> str:
    with translation.override(django_settings.LANGUAGE_CODE):
        return date_format(day)


def late_cycle(cycle) -> Cycle:
    """The fixture cycle, opened two months ago and due three days ago."""
    today = timezone.localdate()
    Cycle.objects.filter(pk=cycle.pk).update(opens_on=today - 60 * DAY, deadline=today - 3 * DAY)
    cycle.refresh_from_db()
    return cycle


# Reminders: constant queries, one connection


def add_branches(bank, cycle, head_office, first: int, count: int):
    """Branches in both regions and under the second-tier branch, each with a manager,
    their plans not started, in draft, returned or submitted."""
    parents = [bank["r1"], bank["r2"], bank["s1"]]
    for i in range(first, first + count):
        branch = Unit.objects.create(
            code=f"X{i}", name=f"第{i}支行", kind=UnitKind.BRANCH, parent=parents[i % 3]
        )
        manager = make_user(f"x{i}", branch, "branch_manager")
        User.objects.filter(pk=manager.pk).update(email=f"x{i}@bank.test")
        if i % 4:
            status = [Status.DRAFT, Status.RETURNED, Status.SUBMITTED][i % 4 - 1]
            Plan.objects.create(cycle=cycle, branch=branch, created_by=manager, status=status)


def test_reminders_take_the_same_queries_at_any_size_over_one_connection(
    bank, cycle, sub_branch, head_office, counting_mail
):
    # An extension keeps region 2 out of lateness: the deadline is computed, not read.
    extend(cycle, bank["r2"], AFTER + 3 * DAY, head_office)
    add_branches(bank, cycle, head_office, 0, 3)
    with CaptureQueriesContext(connection) as small:
        sent_small = send_reminders(cycle, today=AFTER)
    assert counting_mail.opened == 1
    assert sent_small == len(mail.outbox) == 3  # not started, draft, returned
    mail.outbox.clear()
    counting_mail.opened = 0

    add_branches(bank, cycle, head_office, 3, 27)
    with CaptureQueriesContext(connection) as large:
        sent_large = send_reminders(cycle, today=AFTER)
    assert len(large) == len(small) <= 3
    assert counting_mail.opened == 1
    # Every branch but the submitted ones (i % 4 == 3): 30 - 7.
    assert sent_large == len(mail.outbox) == 23
    assert {f"x{i}@bank.test" for i in range(30) if i % 4 != 3} == reminded()


def test_a_reminder_gives_the_branchs_own_deadline(bank, cycle, head_office, managers):
    managers("a", "c")
    extended = AFTER + 2 * DAY
    extend(cycle, bank["r2"], extended, head_office)
    assert send_reminders(cycle, today=AFTER) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    late, due = by_address["a@bank.test"], by_address["c@bank.test"]
    assert in_bank_language(cycle.deadline) in late.subject
    assert in_bank_language(extended) in due.subject and in_bank_language(extended) in due.body
    # One branch's plan is started: its link leads to it; the other's to the plan list.
    assert reverse("plans:list") in late.body and reverse("plans:list") in due.body


def test_a_started_plan_is_linked_from_its_reminder(plan, managers):
    managers("a")
    send_reminders(plan.cycle, today=AFTER)
    [message] = mail.outbox
    assert reverse("plans:overview", args=[plan.pk]) in message.body
    assert "&" not in message.body.replace(django_settings.SITE_URL, "")  # no HTML escapes


# Extensions are respected


def test_an_extended_branch_is_neither_late_nor_reminded(bank, cycle, head_office, managers):
    managers("a", "b", "c")
    extend(cycle, bank["a"], AFTER + 10 * DAY, head_office)
    send_reminders(cycle, today=AFTER)
    assert reminded() == {"b@bank.test", "c@bank.test"}
    late = Unit.objects.filter(kind=UnitKind.BRANCH).filter(
        late_filter(cycle, granted(cycle), today=AFTER)
    )
    assert set(late.values_list("code", flat=True)) == {"B", "C"}


def test_a_regions_extension_covers_its_branches_and_its_second_tier_branches(
    bank, cycle, sub_branch, head_office, managers
):
    managers("a", "b", "c", "d")
    extend(cycle, bank["r1"], AFTER + 10 * DAY, head_office)
    send_reminders(cycle, today=AFTER)
    assert reminded() == {"c@bank.test"}
    mail.outbox.clear()
    # Within a week of the new deadline the region's branches are reminded again, not late.
    send_reminders(cycle, today=AFTER + 4 * DAY)
    assert reminded() == {"a@bank.test", "b@bank.test", "c@bank.test", "d@bank.test"}
    late = Unit.objects.filter(kind=UnitKind.BRANCH).filter(
        late_filter(cycle, granted(cycle), today=AFTER + 4 * DAY)
    )
    assert set(late.values_list("code", flat=True)) == {"C"}


def test_a_second_tier_extension_covers_only_its_branches(
    bank, cycle, sub_branch, head_office, managers
):
    managers("a", "d")
    extend(cycle, bank["s1"], AFTER + 10 * DAY, head_office)
    send_reminders(cycle, today=AFTER)
    assert reminded() == {"a@bank.test"}


def test_the_latest_deadline_granted_wins_whatever_its_level(bank, cycle, head_office, plan):
    extend(cycle, bank["r1"], AFTER + 10 * DAY, head_office, reason="全区系统升级")
    extend(cycle, bank["a"], AFTER + 5 * DAY, head_office, reason="行长出差")
    info = deadline_info(Plan.objects.select_related("cycle", "branch").get(pk=plan.pk), AFTER)
    assert info["deadline"] == AFTER + 10 * DAY and info["reason"] == "全区系统升级"
    assert info["extended"] and not info["late"]
    assert deadline_info(plan, AFTER + 11 * DAY)["late"]


def test_not_late_is_nobody_once_everyone_is_late(bank, cycle):
    """A lateness filter can be negated: "on time" must match no branch, not all."""
    on_time = Unit.objects.filter(kind=UnitKind.BRANCH).exclude(late_filter(cycle, {}, today=AFTER))
    assert not on_time.exists()
    early = Unit.objects.filter(kind=UnitKind.BRANCH).exclude(
        late_filter(cycle, {}, today=cycle.deadline)
    )
    assert early.count() == 3


def test_submitted_plans_are_not_reminded(plan, cycle, managers):
    managers("a", "b")
    Plan.objects.filter(pk=plan.pk).update(status=Status.SUBMITTED)
    send_reminders(cycle, today=AFTER)
    assert reminded() == {"b@bank.test"}


def test_no_reminder_before_the_reminding_days(cycle, managers):
    managers("a")
    assert send_reminders(cycle, today=cycle.deadline - 8 * DAY) == 0
    assert send_reminders(cycle, today=cycle.deadline - 7 * DAY) == 1


# The daily command


def test_the_command_reminds_open_cycles_only(bank, cycle, managers, head_office, capsys):
    managers("a")
    late_cycle(cycle)
    Cycle.objects.create(
        year=2028,
        name="2028 年度营销计划",
        opens_on=timezone.localdate() + 30 * DAY,
        deadline=timezone.localdate() + 31 * DAY,
    )
    call_command("send_deadline_reminders")
    assert capsys.readouterr().out.strip() == "1 reminder(s) sent."
    Cycle.objects.filter(pk=cycle.pk).update(closed_at=timezone.now(), closed_by=head_office)
    mail.outbox.clear()
    call_command("send_deadline_reminders", "--days", "7")
    assert not mail.outbox
    assert capsys.readouterr().out.strip() == "0 reminder(s) sent."


# The "remind the late branches" action


def remind_url(cycle, unit=None):
    if unit is None:
        return reverse("headoffice:remind_late", args=[cycle.pk])
    return reverse("headoffice:remind_late", args=[cycle.pk, unit.pk])


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_reviewer_reminds_their_late_branches_only(
    client, bank, cycle, sub_branch, reviewer, managers
):
    managers("a", "b", "c", "d")
    late_cycle(cycle)
    client.force_login(reviewer)
    response = client.post(remind_url(cycle, bank["r1"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("headoffice:unit", args=[cycle.pk, bank["r1"].pk])
    assert any("3" in message for message in flashed(response))
    assert reminded() == {"a@bank.test", "b@bank.test", "d@bank.test"}
    mail.outbox.clear()
    # Without a unit: the reviewer's whole scope, still not region 2.
    assert client.post(remind_url(cycle)).status_code == 302
    assert reminded() == {"a@bank.test", "b@bank.test", "d@bank.test"}
    mail.outbox.clear()
    assert client.post(remind_url(cycle, bank["r2"])).status_code == 404
    assert client.post(remind_url(cycle, bank["head"])).status_code == 404
    assert client.post(remind_url(cycle, bank["c"])).status_code == 404
    assert not mail.outbox


def test_a_second_tier_reviewer_reminds_below_their_unit(
    client, bank, cycle, sub_reviewer, managers
):
    managers("a", "d")
    late_cycle(cycle)
    client.force_login(sub_reviewer)
    assert client.post(remind_url(cycle)).status_code == 302
    assert reminded() == {"d@bank.test"}
    assert client.post(remind_url(cycle, bank["r1"])).status_code == 404


def test_head_office_reminds_the_whole_bank_or_one_unit(
    client, bank, cycle, head_office, managers, counting_mail
):
    managers("a", "b", "c")
    late_cycle(cycle)
    extend(cycle, bank["b"], timezone.localdate() + 2 * DAY, head_office)
    client.force_login(head_office)
    response = client.post(remind_url(cycle, bank["head"]), {"next": "/dashboard/?x=1"})
    assert response["Location"] == "/dashboard/?x=1"
    assert reminded() == {"a@bank.test", "c@bank.test"}  # B has more time: not late
    assert counting_mail.opened == 1
    mail.outbox.clear()
    response = client.post(remind_url(cycle, bank["r2"]), {"next": "https://evil.test/"})
    assert response["Location"] == reverse("headoffice:unit", args=[cycle.pk, bank["r2"].pk])
    assert reminded() == {"c@bank.test"}


def test_reminding_is_a_post_for_overseers(client, bank, cycle, author, managers):
    managers("a")
    late_cycle(cycle)
    client.force_login(author)
    assert client.post(remind_url(cycle)).status_code == 404
    assert client.post(remind_url(cycle, bank["a"])).status_code == 404
    assert client.get(remind_url(cycle)).status_code == 405
    assert not mail.outbox


def test_nobody_late_sends_nothing(client, bank, cycle, head_office, managers):
    managers("a")
    client.force_login(head_office)
    response = client.post(remind_url(cycle))
    assert response.status_code == 302 and flashed(response)
    assert not mail.outbox


# Extensions: the page and its form


def extension_url(cycle):
    return reverse("headoffice:extensions", args=[cycle.pk])


def test_only_head_office_grants_extensions(client, cycle, reviewer, author):
    client.force_login(reviewer)
    assert client.get(extension_url(cycle)).status_code == 403
    assert client.post(extension_url(cycle), {"unit": "A"}).status_code == 403
    client.force_login(author)
    assert client.get(extension_url(cycle)).status_code == 404
    assert not DeadlineExtension.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"unit": "ZZ9", "deadline": "2027-01-15", "reason": "r"}, "unit"),
        ({"unit": "HO", "deadline": "2027-01-15", "reason": "r"}, "unit"),
        ({"unit": "A", "deadline": "2026-12-31", "reason": "r"}, "deadline"),
        ({"unit": "A", "deadline": "2026-12-01", "reason": "r"}, "deadline"),
        ({"unit": "A", "deadline": "not a date", "reason": "r"}, "deadline"),
        ({"unit": "A", "deadline": "2027-01-15", "reason": ""}, "reason"),
        ({"unit": "A", "deadline": "2027-01-15", "reason": "长" * 501}, "reason"),
    ],
)
def test_the_extension_form_says_what_is_wrong_and_keeps_the_input(
    client, cycle, head_office, data, field
):
    client.force_login(head_office)
    response = client.post(extension_url(cycle), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    html = response.content.decode()
    assert f'value="{data["unit"]}"' in html
    assert not DeadlineExtension.objects.exists()


def test_an_empty_extension_form_names_every_missing_field(client, cycle, head_office):
    client.force_login(head_office)
    response = client.post(extension_url(cycle), {})
    assert set(response.context["form"].errors) == {"unit", "deadline", "reason"}


def test_the_cycle_forms_need_the_csrf_token(bank, cycle, head_office):
    client = Client(enforce_csrf_checks=True)
    client.force_login(head_office)
    data = {"unit": "A", "deadline": "2027-01-15", "reason": "r"}
    assert client.post(extension_url(cycle), data).status_code == 403
    assert client.post(close_url(cycle), {"confirm": "on"}).status_code == 403
    assert client.post(remind_url(cycle)).status_code == 403
    assert not DeadlineExtension.objects.exists() and not Cycle.objects.get().is_closed


def test_an_earlier_grant_than_one_above_is_refused(client, bank, cycle, head_office):
    extend(cycle, bank["r1"], datetime.date(2027, 1, 20), head_office)
    client.force_login(head_office)
    response = client.post(
        extension_url(cycle), {"unit": "A", "deadline": "2027-01-10", "reason": "晚了"}
    )
    assert list(response.context["form"].errors) == ["deadline"]


def test_granting_records_mails_and_shows_the_extension(
    client,
    bank,
    cycle,
    sub_branch,
    head_office,
    managers,
    plan,
    counting_mail,
    django_capture_on_commit_callbacks,
):
    managers("a", "b", "c", "d")
    # B already has until later: the region's grant does not change its deadline.
    extend(cycle, bank["b"], datetime.date(2027, 2, 1), head_office)
    client.force_login(head_office)
    data = {"unit": "r1", "deadline": "2027-01-15", "reason": "年末系统切换<暂停>"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(extension_url(cycle), data)
    assert response.status_code == 302
    grant = DeadlineExtension.objects.get(unit=bank["r1"])
    assert (grant.deadline, grant.reason, grant.granted_by) == (
        datetime.date(2027, 1, 15),
        data["reason"],
        head_office,
    )
    assert reminded() == {"a@bank.test", "d@bank.test"}
    assert counting_mail.opened == 1
    assert all(data["reason"] in message.body for message in mail.outbox)

    page = client.get(extension_url(cycle)).content.decode()
    assert "年末系统切换&lt;暂停&gt;" in page and bank["r1"].name in page

    client.force_login(User.objects.get(username="manager_a"))
    for url in (
        reverse("plans:overview", args=[plan.pk]),
        reverse("plans:section", args=[plan.pk, "background"]),
    ):
        response = client.get(url)
        info = response.context["deadline_info"]
        assert info["deadline"] == datetime.date(2027, 1, 15) and info["extended"]
        html = response.content.decode()
        assert "年末系统切换&lt;暂停&gt;" in html
        assert in_bank_language(datetime.date(2027, 1, 15)) in html


def test_the_deadline_notice_costs_one_query_whatever_the_grants(
    client, bank, cycle, head_office, author, plan
):
    url = reverse("plans:overview", args=[plan.pk])
    client.force_login(author)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    without = queries()
    for unit, day in (("r1", 10), ("a", 12), ("b", 14), ("r2", 15)):
        extend(cycle, bank[unit], datetime.date(2027, 1, day), head_office)
    assert queries() == without
    assert client.get(url).context["deadline_info"]["deadline"] == datetime.date(2027, 1, 12)


def test_a_late_plan_is_marked_late_for_its_branch(client, cycle, author, plan):
    late_cycle(cycle)
    client.force_login(author)
    info = client.get(reverse("plans:overview", args=[plan.pk])).context["deadline_info"]
    assert info["late"] and not info["extended"] and not info["closed"]


# Closing


def close_url(cycle):
    return reverse("headoffice:close_cycle", args=[cycle.pk])


def test_only_head_office_closes(client, cycle, reviewer, author):
    for user, status in ((reviewer, 403), (author, 404)):
        client.force_login(user)
        assert client.get(close_url(cycle)).status_code == status
        assert client.post(close_url(cycle), {"confirm": "on"}).status_code == status
    cycle.refresh_from_db()
    assert not cycle.is_closed


def test_the_close_page_counts_the_plans_not_approved(client, bank, cycle, head_office, start):
    start("a")
    Plan.objects.filter(pk=start("b").pk).update(status=Status.APPROVED)
    client.force_login(head_office)
    response = client.get(close_url(cycle))
    counts = {state: n for state, _label, n in response.context["counts"]}
    assert counts == {"not_started": 1, "draft": 1, "submitted": 0, "returned": 0, "approved": 1}
    assert response.context["not_approved"] == 2
    # Not confirmed: nothing happens.
    response = client.post(close_url(cycle), {})
    assert response.status_code == 200 and response.context["form"].errors
    cycle.refresh_from_db()
    assert not cycle.is_closed


def test_closing_once_and_only_once(client, cycle, head_office):
    client.force_login(head_office)
    assert client.post(close_url(cycle), {"confirm": "on"}).status_code == 302
    cycle.refresh_from_db()
    closed_at = cycle.closed_at
    assert closed_at and cycle.closed_by == head_office
    response = client.post(close_url(cycle), {"confirm": "on"})
    assert response.status_code == 302 and flashed(response)
    cycle.refresh_from_db()
    assert cycle.closed_at == closed_at
    page = client.get(close_url(cycle))
    assert page.status_code == 200 and "confirm" not in page.content.decode()


def test_a_closed_cycle_takes_no_more_changes(
    client, bank, cycle, head_office, reviewer, author, plan, managers
):
    managers("a", "b")
    client.force_login(head_office)
    client.post(close_url(cycle), {"confirm": "on"})

    client.force_login(author)
    overview = client.get(reverse("plans:overview", args=[plan.pk]))
    assert overview.status_code == 200 and overview.context["deadline_info"]["closed"]
    section = reverse("plans:section", args=[plan.pk, "background"])
    assert client.post(section, {"location": "改过"}).status_code == 403
    assert client.post(reverse("reviews:submit", args=[plan.pk])).status_code == 403
    with pytest.raises(services.TransitionError):
        services.submit_plan(plan_id=plan.pk, by=author)
    Plan.objects.filter(pk=plan.pk).update(status=Status.SUBMITTED)
    client.force_login(reviewer)
    assert client.get(reverse("plans:overview", args=[plan.pk])).status_code == 200
    approve = reverse("reviews:approve", args=[plan.pk])
    assert client.post(approve, {"status": "submitted"}).status_code == 403
    with pytest.raises(services.TransitionError):
        services.approve_plan(plan_id=plan.pk, by=reviewer)

    # Neither reminders nor extensions for a closed cycle.
    client.force_login(head_office)
    assert client.post(remind_url(cycle)).status_code == 302
    assert send_reminders(Cycle.objects.get(pk=cycle.pk), today=AFTER) == 0
    response = client.post(
        extension_url(cycle), {"unit": "A", "deadline": "2027-01-15", "reason": "r"}
    )
    assert response.status_code == 302
    assert not mail.outbox and not DeadlineExtension.objects.exists()
