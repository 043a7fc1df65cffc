"""Files of official actuals as head office uploads them, and the page's client."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook


def csv_file(rows, name="actuals.csv", encoding="utf-8-sig") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="actuals.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


HEADER = ("code", "name", "deposits", "new_customers", "npl")


@pytest.fixture
def planner(client, head_office):
    """Head office's planner, signed in, reading English."""
    client.force_login(head_office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.fixture
def upload(planner, cycle):
    """upload(file): the page's answer to the file posted, redirects followed."""

    def posted(file):
        url = reverse("actuals:upload", args=[cycle.pk])
        return planner.post(url, {"file": file}, follow=True)

    return posted


@pytest.fixture
def confirm(planner, cycle):
    def confirmed(staged):
        url = reverse("actuals:confirm", args=[cycle.pk])
        return planner.post(url, {"upload": staged.pk}, follow=True)

    return confirmed
