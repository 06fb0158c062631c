"""OWASP API8:2023 Security Misconfiguration.

* Every gateway response carries `X-Content-Type-Options: nosniff`; the web app's HTML carries a
  Content-Security-Policy without inline script and with `frame-ancestors 'none'`, and
  `Referrer-Policy: strict-origin-when-cross-origin` (the gateway's and nginx's); the web app
  has no inline script and ships no source maps.
* No CORS wildcard; errors carry no stack traces (see API10 for health).
* Every service refuses to start with a placeholder or short signing secret outside tests.
* /metrics is not part of the public API document (it is documented as internal).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.api import Api
from tests.support.processes import Stack, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB = REPO_ROOT / "services/web"


def _assert_html_headers(response: httpx.Response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {}
    for part in filter(None, (p.strip() for p in csp.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no hashes of inline code
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_kind_of_gateway_response_says_nosniff(stack: Stack, api: Api) -> None:
    learner = api.create_learner()
    responses = [
        api.http.get("/api/users/me"),  # 200
        api.http.post("/api/learners", json={}),  # 422
        api.http.get("/api/learners/999999999"),  # 404
        api.http.delete(f"/api/learners/{api.create_learner()['id']}"),  # 204
        api.http.put("/api/learners"),  # 405
        api.http.get(f"/api/learners/{learner['id']}", headers={"Authorization": "Bearer x"}),
        httpx.get(f"{stack.base_url}/api/health"),
        httpx.get(f"{stack.base_url}/openapi.json"),
        httpx.get(f"{stack.base_url}/docs"),
        httpx.get(f"{stack.base_url}/metrics"),
        httpx.post(f"{stack.base_url}/api/learners", content=b"x" * (2 * 1024 * 1024)),  # 413
    ]
    assert {r.status_code for r in responses} >= {200, 204, 401, 404, 405, 413, 422}
    for response in responses:
        assert response.headers.get("X-Content-Type-Options") == "nosniff", response.request.url


def test_no_cross_origin_wildcard(stack: Stack, api: Api) -> None:
    response = api.http.get("/api/users/me", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = api.http.options(
        "/api/users/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_metrics_stay_out_of_the_public_api_document(stack: Stack) -> None:
    document = httpx.get(f"{stack.base_url}/openapi.json").json()
    assert "/metrics" not in document["paths"]
    security_doc = (REPO_ROOT / "docs/security.md").read_text()
    assert "/metrics" in security_doc and "internal" in security_doc


def test_the_gateway_serves_the_web_app_with_a_strict_policy(
    make_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(
        '<!doctype html><html><head><script src="/theme-init.js"></script></head>'
        '<body><div id="root"></div><script type="module" src="/assets/app.js"></script></body>'
        "</html>"
    )
    (dist / "theme-init.js").write_text("// theme\n")
    (dist / "assets" / "app.js").write_text("console.log('app')\n")
    stack = make_stack(extra_env={"WEB_DIST_DIR": str(dist)})
    stack.start("gateway")
    for path in ("/", "/learners/3", "/index.html", "/progress?x=1"):
        response = httpx.get(f"{stack.base_url}{path}")
        assert response.status_code == 200 and "text/html" in response.headers["content-type"]
        _assert_html_headers(response)
    script = httpx.get(f"{stack.base_url}/assets/app.js")
    assert script.headers["X-Content-Type-Options"] == "nosniff"


def test_nginx_sends_the_same_policy_on_the_web_app() -> None:
    template = (WEB / "docker/nginx.conf.template").read_text()
    app_block = template[template.index("location / {") :]
    csp = re.search(r'Content-Security-Policy "([^"]+)"', app_block)
    assert csp and "script-src 'self';" in csp.group(1) and "frame-ancestors 'none'" in csp.group(1)
    assert "Referrer-Policy strict-origin-when-cross-origin" in app_block
    assert "X-Content-Type-Options nosniff" in app_block


def test_the_web_app_has_no_inline_script_and_no_production_source_maps() -> None:
    index = (WEB / "index.html").read_text()
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", index, re.S):
        attributes, body = match.groups()
        assert "src=" in attributes and not body.strip(), match.group(0)
    assert not re.search(r"\son[a-z]+\s*=", index), "inline event handlers are inline script"
    config = (WEB / "vite.config.ts").read_text()
    assert re.search(r"sourcemap:\s*false", config), "production builds must not ship source maps"


SERVICES = ("gateway", "content-worker", "analytics-worker", "sweeper")


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("REPLACE_WITH_A_LONG_RANDOM_STRING", "placeholder"),
        ("dev-only-secret-change-me-in-production-0123456789", "placeholder"),
        ("short-secret", "characters long"),
        ("", "is not set"),
    ],
)
def test_every_service_refuses_to_start_with_a_weak_secret(
    make_stack: Callable[..., Stack], secret: str, message: str
) -> None:
    stack = make_stack()
    for name in SERVICES:
        service = stack[name]
        service.env = {**service.env, "ENVIRONMENT": "production", "JWT_SECRET": secret}
        service.start()
    for name in SERVICES:
        service = stack[name]
        wait_until(lambda s=service: not s.alive, timeout=60, message=f"{name} to refuse")
        assert service.process is not None and service.process.returncode != 0, name
        output = service.output().decode(errors="replace")
        assert "JWT_SECRET" in output and message in output, (name, output[-2000:])
        if secret:
            assert secret not in output, name  # the secret itself is never logged
