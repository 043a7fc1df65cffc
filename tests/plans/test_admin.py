"""Head office runs cycles from the admin: KPIs and its notes to the branches, per section."""

from django.urls import reverse

from bankplan.plans.models import SectionNote
from tests.htmlform import form_data


def test_head_office_writes_a_note_on_the_cycle_page(client, cycle, head_office):
    head_office.is_staff = head_office.is_superuser = True
    head_office.save()
    client.force_login(head_office)
    url = reverse("admin:plans_cycle_change", args=[cycle.pk])
    data = form_data(client.get(url))
    data.update({"notes-0-section": "channels", "notes-0-text": "每月至少一次进村。"})
    data["notes-TOTAL_FORMS"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    note = SectionNote.objects.get()
    assert (note.section, note.text, note.get_section_display()) == (
        "channels",
        "每月至少一次进村。",
        "渠道策略",
    )
