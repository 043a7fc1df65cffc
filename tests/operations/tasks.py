"""A task for the worker tests: cheap, so that many run in a test."""

from django.tasks import task


@task()
def echo(number: int) -> int:
    return number
