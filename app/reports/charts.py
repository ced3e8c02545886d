"""The coverage page's two SVG charts, written out in Python.

Why not a template: the charts are a few hundred small interpolations (coordinates, one
translated title per month), and Jinja's per-expression escaping and context calls made them
the largest single part of the coverage page's cost (bench S4: ~1.5–3 ms of a ~8 ms page,
profiled). Here only text is escaped; numbers are formatted directly. The markup is the same,
byte for byte, as the template it replaces (tests/reports/test_charts.py).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import get_translations
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

WIDTH, ROW_H, MONTHS_H = 360, 46, 150


def _(string: str, **variables) -> Markup:
    # As templates' `_()` does (app/core/i18n.py): translate, then %-format, escaping values.
    return Markup(get_translations().ugettext(string)) % variables


def _month_title():
    """`_("Tháng %(m)s: %(n)s", m=…, n=…)` for whole numbers, translated once for the twelve
    months (ints need no escaping: plain %-formatting of the translated markup gives the same
    text). The literal stays inside `ugettext(…)` so that message extraction finds it."""
    translated = str(Markup(get_translations().ugettext("Tháng %(m)s: %(n)s")))
    return lambda month, count: translated % {"m": int(month), "n": int(count)}


def _percent(value: float) -> str:
    return f"{value:.0f}%"  # the `percent` filter


def coverage_charts(cov, progress) -> Markup:
    """Bars per unit (percent trained), and the cumulative trained per month when given."""
    env = current_app.jinja_env
    out = [
        '\n\n<figure class="chart">\n  <figcaption>',
        _("Tỷ lệ đã tập huấn theo đơn vị — mục tiêu 100%%"),
        f'</figcaption>\n  <svg viewBox="0 0 {WIDTH} {len(cov.rows) * ROW_H + 4}" role="img" '
        'aria-labelledby="chart-units-desc">\n    <desc id="chart-units-desc">',
        _("Biểu đồ thanh: tỷ lệ cán bộ đã tập huấn của từng đơn vị trực thuộc."),
        "</desc>\n    ",
    ]
    for index, row in enumerate(cov.rows):
        y = index * ROW_H
        label = row.unit.name if row.unit else _("Trực thuộc")
        full = " bar-full" if row.percent >= 100 else ""
        out.append(
            f'\n    \n    <text x="0" y="{y + 14}" class="chart-label">'
            f"{escape(do_truncate(env, label, 44, True, '…'))}</text>\n"
            f'    <rect x="0" y="{y + 20}" width="{WIDTH - 60}" height="16" rx="3" '
            'class="bar-bg"></rect>\n'
            f'    <rect x="0" y="{y + 20}" width="{(WIDTH - 60) * row.percent / 100:.1f}" '
            f'height="16" rx="3" class="bar{full}"></rect>\n'
            f'    <text x="{WIDTH}" y="{y + 33}" text-anchor="end" class="chart-value">'
            f"{_percent(row.percent)}</text>\n    "
        )
    out.append("\n  </svg>\n</figure>\n")
    if progress:
        goal = max(cov.total.required, 1)
        h = MONTHS_H
        out += [
            '\n\n<figure class="chart">\n  <figcaption>',
            _(
                "Số cán bộ đã tập huấn cộng dồn theo tháng năm %(y)s (đường mục tiêu: %(n)s người)",
                y=cov.year,
                n=cov.total.required,
            ),
            f'</figcaption>\n  <svg viewBox="0 0 {WIDTH} {h + 24}" role="img" '
            'aria-labelledby="chart-months-desc">\n    <desc id="chart-months-desc">',
            _("Biểu đồ cột: số cán bộ đã hoàn thành, cộng dồn từ tháng 1 đến tháng 12."),
            f'</desc>\n    <line x1="0" x2="{WIDTH}" y1="4" y2="4" class="target-line"></line>'
            "\n    ",
        ]
        title = _month_title()
        for month, count in progress:
            bar = (h - 8) * count / goal
            x = (month - 1) * 30
            full = " bar-full" if count >= goal else ""
            out.append(
                f'\n    \n    \n    <rect x="{x + 4}" y="{h - bar:.1f}" width="22" '
                f'height="{bar:.1f}" class="bar{full}"><title>'
                f"{title(month, count)}</title></rect>\n"
                f'    <text x="{x + 15}" y="{h + 18}" text-anchor="middle" class="chart-axis">'
                f"{month}</text>\n    "
            )
        months = "; ".join(f"{month} — {count}" for month, count in progress)
        out += ['\n  </svg>\n  <p class="muted small">', _("Tháng")]
        out.append(f": {months}</p>\n</figure>\n")
    return Markup("".join(str(part) for part in out))
