"""S8: the lesson page and the quiz page on a cheap phone over a slow link.

Target: each page transfers ≤ 30 KB (HTML + CSS + JS, gzip-compressed as nginx would with its
default level 1) and reaches first contentful paint < 2 s in Chromium at 360 px wide with the
network emulated as a slow 3G link (400 kbit/s each way, 400 ms round trip), cache disabled.

gunicorn does not compress, so the emulated link carries the files uncompressed: the paint
time measured here is an upper bound of what a phone behind nginx with gzip would see."""

from __future__ import annotations

import gzip
import re
import statistics
from urllib.parse import urljoin

from lib import Browser, app_server, log, sqlite_copy

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms, round trip
    "downloadThroughput": 400 * 1000 / 8,  # bytes/s
    "uploadThroughput": 400 * 1000 / 8,
}
LOADS = 3  # paint time: median of this many cold loads
USER_AGENT = "tdkt-bench"  # sessions are "strong": the same agent that signed in


def _assets(html: str) -> list[str]:
    """Same-origin stylesheets and scripts the page links to."""
    links = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    links += re.findall(r'<link[^>]+href="([^"]+)"[^>]+rel="stylesheet"', html)
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    return [url for url in dict.fromkeys(links + scripts) if not url.startswith("http")]


def _transfer(browser: Browser, path: str) -> dict:
    status, html, _headers = browser.request("GET", path)
    assert status == 200, f"S8: {path} answered {status}"
    parts = {"html": html.encode()}
    for asset in _assets(html):
        asset_status, body, _ = browser.request("GET", urljoin(path, asset).split("?")[0])
        assert asset_status == 200, f"S8: {asset} answered {asset_status}"
        parts[asset] = body.encode()
    raw = sum(len(body) for body in parts.values())
    zipped = {name: len(gzip.compress(body, compresslevel=1)) for name, body in parts.items()}
    return {"raw_bytes": raw, "gzip_bytes": sum(zipped.values()), "parts": zipped}


def _paint_ms(context, url: str) -> float:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    page.goto(url, wait_until="load", timeout=60_000)
    assert page.url == url, f"S8: {url} went to {page.url} (not signed in?)"
    fcp = page.evaluate(
        "() => new Promise(done => {"
        " const seen = performance.getEntriesByName('first-contentful-paint');"
        " if (seen.length) return done(seen[0].startTime);"
        " new PerformanceObserver(list => done(list.getEntries()[0].startTime))"
        "   .observe({type: 'paint', buffered: true}); })"
    )
    page.close()
    return float(fcp)


def phone_figures(source_url: str, result: dict, lesson_path, prepare_submits) -> None:
    from playwright.sync_api import sync_playwright

    database_url = sqlite_copy(source_url, "s8.sqlite3")
    lesson = lesson_path(database_url)
    _slug, plan = prepare_submits(database_url, 1, 1)
    email, [(attempt_id, _answers)] = plan[0]
    pages = {"lesson": lesson, "quiz": f"/bai-lam/{attempt_id}"}
    figures = {}
    with app_server(database_url, 18281, "s8-app") as app:
        browser = Browser(app.port).login(email)
        base = f"http://127.0.0.1:{app.port}"
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            context = chromium.new_context(
                viewport={"width": 360, "height": 740},
                user_agent=USER_AGENT,
                device_scale_factor=2,
                is_mobile=True,
            )
            context.add_cookies(
                [{"name": k, "value": v, "url": base} for k, v in browser.cookies.items()]
            )
            for name, path in pages.items():
                paints = [_paint_ms(context, base + path) for _ in range(LOADS)]
                figures[name] = {
                    "path": path,
                    **_transfer(browser, path),
                    "fcp_ms": round(statistics.median(paints), 0),
                    "fcp_ms_all": [round(p) for p in paints],
                }
                log(f"S8 {name}: {figures[name]}")
            chromium.close()
    result["S8"] = {"network": SLOW_3G, "pages": figures}
