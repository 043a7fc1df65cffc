"""/healthz: what a load balancer asks, answered without a login and without data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bankplan.operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def report(seconds_ago: float) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="app1", pid=42, seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_healthy_when_a_worker_reported_lately(client, media):
    report(seconds_ago=5)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "worker": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not list(media.rglob("*.*"))  # the probe file is removed again


def test_unhealthy_without_a_worker(client, media):
    report(seconds_ago=300)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["worker"] == "failing"


def test_unhealthy_when_storage_cannot_be_written(client, settings, tmp_path):
    report(seconds_ago=1)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "worker": "ok", "storage": "failing"}
