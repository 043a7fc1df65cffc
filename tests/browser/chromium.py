"""Headless Chromium for the tests of what only a browser does: a fixture (registered for
the whole suite in tests/conftest.py) and logging in."""

import shutil

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bankplan.organisation.models import User

CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser(live_server):
    # What a browser shows does not depend on the database; on PostgreSQL the browser
    # tests would only double CI's time (the brief allows slow suites on one database).
    if connection.vendor != "sqlite":
        pytest.skip("browser tests run on SQLite")
    options = webdriver.ChromeOptions()
    # Root on a machine without a display or a network beyond localhost.
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console, CSP reports
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def open_as(browser, live_server, user, path):
    browser.get(live_server.url + reverse("login") + "?next=" + path)
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys("pw")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    # The log-in page's own address ends with ``path`` too (?next=): wait until it is left
    # and the page has come whole (a long page is otherwise measured half laid out).
    try:
        WebDriverWait(browser, 10).until(
            lambda b: (
                reverse("login") not in b.current_url
                and b.current_url.endswith(path)
                and b.execute_script("return document.readyState") == "complete"
            )
        )
    except TimeoutException:
        text = browser.find_element(By.TAG_NAME, "main").text
        raise AssertionError(f"{user.username} was not let in: {text[:500]}") from None


def sign_in(browser, live_server, username):
    """The browser takes the session of a test client signed in as ``username`` (or
    none): quicker than the log-in form for each page."""
    browser.delete_all_cookies()
    if username is None:
        return
    client = Client()
    client.force_login(User.objects.get(username=username))
    browser.get(live_server.url + reverse("login"))  # a cookie is set on the site's own page
    browser.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        }
    )
