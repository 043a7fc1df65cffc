"""The only way WeasyPrint reads anything: the app's own static files, from disk.

The PDF template names its stylesheet with ``{% static %}``; relative to ``BASE_URL``
that becomes ``https://bankplan.invalid/static/...`` (``.invalid`` never resolves).
Everything else — other hosts, ``file://``, ``data:``, paths escaping the static
folders — is refused, so text a user typed can never make the renderer read a file
or call a server.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import OpenerDirector

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://bankplan.invalid/"


class RefusedURL(ValueError):
    pass


def static_path(url: str) -> Path:
    """The file behind one of our static URLs; RefusedURL for anything else."""
    parts = urlsplit(url)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
        prefix
    ):
        raise RefusedURL(f"not one of the app's static files: {url}")
    relative = unquote(parts.path.removeprefix(prefix))
    if ".." in Path(relative).parts:
        raise RefusedURL(f"path escapes the static folders: {url}")
    found = finders.find(relative)
    if not found:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        if root in candidate.parents and candidate.is_file():
            found = str(candidate)
    if not found:
        raise RefusedURL(f"no such static file: {url}")
    return Path(found)


class StaticFilesFetcher(URLFetcher):
    def __init__(self):
        # No protocol handlers at all (URLFetcher's would build an HTTPS context): this
        # fetcher opens nothing but files found by static_path().
        OpenerDirector.__init__(self)
        self._fail_on_errors = False

    def fetch(self, url, headers=None):
        path = static_path(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})
