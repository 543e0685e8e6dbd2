"""Driving the web pages from Flask's test client: log in through the login form, read the CSRF
token a page carries, post forms the way a browser does."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page carries no CSRF token"
    return found[1]


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:2000])
    return response.get_data(as_text=True)


def login(client, username: str, password: str = PASSWORD) -> None:
    token = csrf_of(page(client, "/login"))
    response = client.post("/login", data={"csrf_token": token, "username": username,
                                           "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def post(client, path: str, data: dict, *, form_page: str | None = None):
    """POST `data` with the CSRF token of `form_page` (default: the same path)."""
    token = csrf_of(page(client, form_page or path))
    return client.post(path, data={"csrf_token": token, **data})


def field_error(html: str, field_id: str) -> str:
    """The message shown beside a field (its -error element), '' when none."""
    found = re.search(rf'id="{re.escape(field_id)}-error">(.*?)</div>', html, re.S)
    return found[1].strip() if found else ""
