import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service as if its transaction committed, so its mail goes out."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run
