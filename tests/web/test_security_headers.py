"""Security headers on every response, a CSP without inline script, no Host-header links."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

import plateau

SRC = Path(plateau.__file__).parent


def test_html_pages_carry_the_csp_and_the_other_headers(client: TestClient) -> None:
    for path in ("/", "/login", "/no-such-page"):
        page = client.get(path)
        assert page.headers["content-type"].startswith("text/html"), path
        csp = page.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "same-origin"


def test_api_answers_carry_the_headers_too(client: TestClient) -> None:
    answer = client.get("/api/registry/prefectures")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    problem = client.get("/api/me")
    assert problem.status_code == 401 and problem.headers["x-content-type-options"] == "nosniff"


def test_no_template_holds_executable_inline_script() -> None:
    found = []
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append((template.name, tag))
        found += [(template.name, m) for m in re.findall(r"\son[a-z]+=\"", text)]
        found += [(template.name, m) for m in re.findall(r"javascript:", text)]
    assert found == []
