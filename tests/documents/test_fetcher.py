"""The PDF renderer reads the app's own static files and nothing else."""

import pytest

from bankplan.documents.fetcher import BASE_URL, RefusedURL, StaticFilesFetcher


def test_the_print_stylesheet_is_served_from_disk():
    response = StaticFilesFetcher().fetch(BASE_URL + "static/css/pdf.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/evil.css",
        "https://intranet.bank.local/secret",
        "data:text/plain,hello",
        BASE_URL + "static/../../bankplan/settings.py",
        BASE_URL + "static/%2e%2e/%2e%2e/bankplan/settings.py",
        BASE_URL + "media/anything",
        "https://bankplan.invalid.evil.com/static/css/pdf.css",
        BASE_URL + "static/css/no-such-file.css",
    ],
)
def test_anything_else_is_refused(url):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(url)


def test_it_follows_no_redirects_and_opens_no_protocol():
    fetcher = StaticFilesFetcher()
    assert fetcher.handlers == []
