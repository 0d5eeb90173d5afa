"""The web page's files, headers and OpenAPI docs (the page's behaviour is in test_browser.py)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.routes.web import STATIC_DIR


def test_page_is_chinese_and_self_contained(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="zh-CN">' in html and "政策文件问答" in html and "任务台账" in html
    # Everything is served locally: no CDN, no external URL in the page's assets.
    for name in ("index.html", "app.js", "style.css"):
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), name
        assert "@import" not in text


def test_page_and_assets_carry_a_strict_csp(client: TestClient) -> None:
    for path in ("/", "/static/app.js", "/static/style.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"


def test_script_never_inserts_html() -> None:
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script.replace("Never innerHTML", ""), sink


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {
        "/healthz",
        "/api/ask",
        "/api/search",
        "/api/tasks",
        "/api/documents",
        "/api/documents/{source}",
        "/api/jobs",
        "/api/jobs/{job_id}",
        "/v1/chat/completions",
        "/v1/models",
        "/webhook/dingtalk",
    } <= paths.keys()
    assert "multipart/form-data" in paths["/api/documents"]["post"]["requestBody"]["content"]
    assert client.get("/docs").status_code == 200


def test_unknown_route_is_a_bilingual_404(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["detail"] == "找不到资源 / Not Found"


def test_openapi_docs_need_no_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn.jsdelivr.net" not in page.text and "unpkg.com" not in page.text
    scripts = re.findall(r'src="([^"]+\.js)"', page.text)
    assert scripts and all(client.get(src).status_code == 200 for src in scripts)
