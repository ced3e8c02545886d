"""The checks every browser journey makes, and the small steps they share."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# Visible form controls that need an accessible name from a label (or aria-label).
UNLABELLED_CONTROLS_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
  .filter(el => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
  })
  .filter(el => !(el.labels && el.labels.length)
             && !(el.getAttribute('aria-label') || '').trim()
             && !(el.getAttribute('aria-labelledby') || '').trim())
  .map(el => el.outerHTML.slice(0, 160))
"""

OVERFLOW_JS = """
() => ({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
        wide: Array.from(document.querySelectorAll('body *'))
          .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                        && !el.closest('.table-scroll, .sr-only, .skip-link'))
          .slice(0, 5).map(el => el.tagName + '.' + el.className)})
"""


# Text below the WCAG 2.1 AA contrast ratio against what is painted behind it: 4.5:1, or 3:1
# for large text (24 px, or 18.66 px bold). The background is composited from the element up
# to the page (over white); text over a background image cannot be judged and is skipped.
# SVG text (the charts) is painted with `fill`. Disabled controls are exempt in WCAG.
LOW_CONTRAST_JS = r"""
() => {
  const parse = c => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const luminance = ({r, g, b}) => {
    const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== 'none') return null;
      const c = parse(style.backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    return layers.reverse().reduce((under, c) => over(c, under), {r: 255, g: 255, b: 255, a: 1});
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = Array.from(el.childNodes)
      .filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('').trim();
    if (!text || el.disabled || el.closest('.sr-only, .skip-link')) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width === 0 || box.height === 0) continue;
    const bg = behind(el);
    const paint = parse(el.closest('svg') ? style.fill : style.color);
    if (!bg || !paint) continue;
    const fg = over(paint, bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (parseInt(style.fontWeight, 10) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) {
      low.push(`${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className} `
        + `"${text.slice(0, 30)}" ${ratio.toFixed(2)}:1 `
        + `(rgb(${paint.r}, ${paint.g}, ${paint.b}) on `
        + `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
    }
  }
  return low;
}
"""


class Journey:
    """A page plus everything a journey asserts on every screen it visits:

    * no console errors, no uncaught page errors, no request to our server answered ≥ 400
      (except URLs the journey declares it expects to fail, e.g. a deliberate 404);
    * `<html lang="vi">`;
    * no horizontal scroll (`scrollWidth <= innerWidth`) — at 360 px above all;
    * every visible input/select/textarea has a label;
    * visible text meets the WCAG AA contrast ratio against its background.

    `check(step)` runs the checks and saves `screenshots/<journey>-<size>-<step>.png`.
    """

    def __init__(self, page: Page, server: dict, size: str, name: str):
        self.page = page
        self.server = server
        self.url = server["url"]
        self.seed = server["seed"]
        self.size = size
        self.name = name
        self.errors: list[str] = []
        self.expected_failures: set[str] = set()
        self.steps = 0
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    # --- listeners ------------------------------------------------------------------------

    def _on_console(self, message) -> None:
        if message.type == "error":
            path = urlpath(message.location.get("url", "") if message.location else "")
            # Chromium logs "Failed to load resource: … 404" for an expected 404 document.
            if "Failed to load resource" in message.text and path in self.expected_failures:
                return
            self.errors.append(f"console error: {message.text} ({message.location})")

    def _on_response(self, response) -> None:
        if response.url.startswith(self.url) and response.status >= 400:
            path = urlpath(response.url)
            if path not in self.expected_failures:
                self.errors.append(f"HTTP {response.status}: {response.request.method} {path}")
                if response.status >= 500:  # the traceback is in the server's log
                    log = self.server["log"].read_text(encoding="utf-8", errors="replace")
                    self.errors.append("server log (end):\n" + log[-4000:])

    def _on_request_failed(self, request) -> None:
        # A request the browser itself cancels because the page navigated away (the favicon
        # of a page left at once) is not a failure of the server.
        if request.failure == "net::ERR_ABORTED":
            return
        if request.url.startswith(self.url):
            self.errors.append(f"request failed: {request.method} {request.url} {request.failure}")

    # --- checks ---------------------------------------------------------------------------

    def assert_no_errors(self) -> None:
        assert not self.errors, "\n".join(self.errors)

    def check(self, step: str, labels: bool = True) -> None:
        page = self.page
        page.wait_for_load_state("load")
        self.steps += 1
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{self.name}-{self.size}-{self.steps:02d}-{step}.png"),
            full_page=True,
        )
        assert page.locator("html").get_attribute("lang") == "vi", f"{step}: <html lang> not vi"
        overflow = page.evaluate(OVERFLOW_JS)
        assert overflow["scrollWidth"] <= overflow["innerWidth"], (
            f"{step} ({page.url}): horizontal scroll at {self.size} px: {overflow}"
        )
        if labels:
            unlabelled = page.evaluate(UNLABELLED_CONTROLS_JS)
            assert not unlabelled, f"{step} ({page.url}): controls without a label: {unlabelled}"
        low = page.evaluate(LOW_CONTRAST_JS)
        assert not low, f"{step} ({page.url}): text below WCAG AA contrast: {low[:5]}"
        self.assert_no_errors()

    # --- shared steps ---------------------------------------------------------------------

    def goto(self, path: str, expect_status: int = 200):
        if expect_status >= 400:
            self.expected_failures.add(urlpath(self.url + path))
        response = self.page.goto(self.url + path)
        assert response is not None and response.status == expect_status, (
            f"GET {path}: {response.status if response else None}, expected {expect_status}"
        )
        return response

    def sign_in(self, officer_key: str) -> dict:
        """Sign in with the keyboard only: Tab to the e-mail field, type, Tab to the password,
        type, Enter."""
        officer = self.seed["officers"][officer_key]
        page = self.page
        self.goto("/")
        self.check("dang-nhap")
        email = page.locator("#email")
        for _ in range(15):
            page.keyboard.press("Tab")
            if email.evaluate("el => el === document.activeElement"):
                break
        else:
            raise AssertionError("Tab never reached the e-mail field")
        page.keyboard.type(officer["email"])
        page.keyboard.press("Tab")
        assert page.locator("#password").evaluate("el => el === document.activeElement"), (
            "Tab from the e-mail field does not reach the password field"
        )
        page.keyboard.type(self.seed["password"])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/bang-dieu-khien$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(officer["name"])
        return officer


def urlpath(url: str) -> str:
    """The path of a URL, without query string or fragment."""
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0].split("#")[0]


def correct_answers(db_path: Path, question_ids: list[int]) -> dict[int, tuple[str, object]]:
    """{question id: (type, the right answer)} read from the database the server uses."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        marks = ",".join("?" * len(question_ids))
        rows = conn.execute(
            f"SELECT id, qtype, data FROM questions WHERE id IN ({marks})", question_ids
        ).fetchall()
    answers = {}
    for qid, qtype, raw in rows:
        data = json.loads(raw)
        if qtype == "single":
            answer = next(c["id"] for c in data["choices"] if c["fraction"] >= 0.999)
        elif qtype == "multi":
            answer = [c["id"] for c in data["choices"] if c["fraction"] > 0]
        elif qtype == "truefalse":
            answer = "true" if data["correct"] else "false"
        elif qtype == "short":
            answer = next(a["text"] for a in data["answers"] if a["fraction"] >= 0.999)
        elif qtype == "numerical":
            answer = next(str(a["value"]) for a in data["answers"] if a["fraction"] >= 0.999)
        elif qtype == "matching":
            answer = [pair["right"] for pair in data["pairs"]]
        else:
            answer = None  # essay: not auto-graded
        answers[qid] = (qtype, answer)
    return answers


def answer_quiz_correctly(page: Page, db_path: Path) -> list[int]:
    """Tick or type the right answer of every question of the attempt, page by page ("Lưu và
    tiếp tục" between pages), and stay on the last page; returns the ids in order."""
    seen: list[int] = []
    while True:
        seen += _answer_page_correctly(page, db_path)
        next_page = page.get_by_role("button", name="Lưu và tiếp tục")
        if next_page.count() == 0:
            return seen
        next_page.click()
        page.wait_for_url(re.compile(r"trang=\d+$"))


def _answer_page_correctly(page: Page, db_path: Path) -> list[int]:
    names = page.locator("form#quiz-form").evaluate(
        "form => Array.from(form.elements).map(el => el.name).filter(n => /^q\\d+/.test(n))"
    )
    qids = sorted({int(re.match(r"q(\d+)", n).group(1)) for n in names})
    answers = correct_answers(db_path, qids)
    assert set(answers) == set(qids) and len(qids) == page.locator("fieldset.question").count()
    for qid, (qtype, answer) in answers.items():
        if qtype in ("single", "truefalse"):
            page.locator(f"input[name=q{qid}][value='{answer}']").check()
        elif qtype == "multi":
            for choice in answer:
                page.locator(f"input[name=q{qid}][value='{choice}']").check()
        elif qtype in ("short", "numerical"):
            page.locator(f"#q{qid}").fill(answer)
        elif qtype == "matching":
            for index, right in enumerate(answer):
                page.locator(f"#q{qid}-{index}").select_option(right)
    return qids
