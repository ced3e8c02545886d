"""Every page a province admin (who sees every menu) reaches by following links fits a 360 px
phone, is in Vietnamese, has a label on every control and shows no error."""

import re
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

SKIP = re.compile(r"\.(pdf|xlsx|csv)(\?|$)|/dang-xuat|/tai-ve|/xuat/|/mau-")
LIMIT = 120


@pytest.mark.parametrize("size", ["360"], indirect=True)
def test_every_linked_page_fits_a_phone(ui, size):
    page = ui.page
    ui.sign_in("admin")
    seen: set[str] = set()
    queue = ["/bang-dieu-khien"]
    while queue and len(seen) < LIMIT:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        ui.goto(path)
        ui.check("trang-" + re.sub(r"[^a-z0-9]+", "-", path.strip("/"))[:60])
        hrefs = page.eval_on_selector_all(
            "main a[href], nav a[href]", "els => els.map(e => e.href)"
        )
        for href in hrefs:
            parts = urlsplit(href)
            if parts.netloc != urlsplit(ui.url).netloc or SKIP.search(href):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            # One page per route shape is enough (/khoa-hoc/x/bai/1 … /bai/7 look alike).
            shape = re.sub(r"\d+", "N", parts.path)
            if link not in seen and all(
                re.sub(r"\d+", "N", s.split("?")[0]) != shape for s in seen | set(queue)
            ):
                queue.append(link)
    assert len(seen) >= 15, sorted(seen)
