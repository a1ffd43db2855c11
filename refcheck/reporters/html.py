"""``report.html`` for a batch: one self-contained page an editor opens from disk.

Everything is inline — CSS, a few lines of JavaScript to sort the table, and the
pictures, drawn here as SVG — because the report is mailed around and opened on
desks without a network; nothing is fetched from anywhere.
"""

from __future__ import annotations

from html import escape
from typing import Any

FAMILY_LABELS = {"RC1": "citation numbering", "RC2": "relevance", "RC3": "language", "RC4": "density",
                 "other": "plugin rules"}
FAMILY_COLOURS = {"RC1": "#c0392b", "RC2": "#8e44ad", "RC3": "#d68910", "RC4": "#2471a3", "other": "#566573"}
SEV_COLOURS = {"error": "#c0392b", "warning": "#b9770e", "info": "#2471a3"}

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1c2833;background:#f4f6f7}
header{background:#1c2833;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#d5d8dc}main{padding:20px 32px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0002}
th,td{padding:6px 10px;border-bottom:1px solid #e5e8e8;text-align:right;white-space:nowrap}
th{background:#eaeded;cursor:pointer;user-select:none;position:sticky;top:0}th:after{content:' \\2195';color:#99a3a4}
td.name,th.name{text-align:left;white-space:normal}tr.error td{background:#fdedec}
.score{font-weight:700}.bar{display:inline-block;height:10px;background:#c0392b;vertical-align:middle;margin-left:6px}
section.ms{background:#fff;margin:28px 0;padding:16px 22px;box-shadow:0 1px 2px #0002}
section.ms h2{margin:0 0 4px;font-size:18px}.meta{color:#566573;margin:0 0 10px}
.figs{display:flex;gap:24px;flex-wrap:wrap}.figs figure{margin:0}.figs figcaption{font-size:12px;color:#566573}
ol.findings{padding-left:22px}ol.findings li{margin:10px 0}
.code{font-family:ui-monospace,monospace;font-weight:700}.sev{font-size:12px;padding:1px 6px;border-radius:8px;color:#fff}
blockquote{margin:4px 0;padding:4px 10px;border-left:3px solid #d5d8dc;color:#2c3e50;background:#fbfcfc}
mark{background:#f9e79f;padding:0 1px}.sugg{color:#1e8449;font-size:13px}.where{color:#7f8c8d;font-size:12px}
"""

_JS = """
document.querySelectorAll('#overview th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var body = document.querySelector('#overview tbody');
    var rows = Array.from(body.rows), asc = th.dataset.asc !== '1';
    rows.sort(function(a, b){
      var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    th.dataset.asc = asc ? '1' : '0';
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
"""


def sequence_svg(seq: dict[str, Any], width: int = 420, height: int = 240) -> str:
    """Reference number (y) against the order of its first citation (x).

    A manuscript numbered in order of first citation is a straight diagonal; the
    points RC101 flagged are drawn as red crosses, so an editor sees at a glance
    whether a list is a little or badly out of sequence.
    """
    numbers: list[int] = seq.get("numbers", [])
    flagged = set(seq.get("out_of_sequence", []))
    if not numbers:
        return _empty_svg(width, height, "no numbered citations")
    pad_l, pad_b, pad_t, pad_r = 44, 34, 12, 12
    n = len(numbers)
    top = max(max(numbers), seq.get("references", 0), n, 1)
    pw, ph = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i: int) -> float:
        return pad_l + (i / max(n - 1, 1)) * pw

    def y(v: float) -> float:
        return pad_t + ph - (v - 1) / max(top - 1, 1) * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="citation sequence: {n} references cited, {len(flagged)} out of sequence">',
             f'<rect x="{pad_l}" y="{pad_t}" width="{pw}" height="{ph}" fill="#fbfcfc" stroke="#d5d8dc"/>',
             f'<line x1="{x(0):.1f}" y1="{y(1):.1f}" x2="{x(n - 1):.1f}" y2="{y(n):.1f}" stroke="#abb2b9" stroke-dasharray="4 3"/>']
    for tick in _ticks(top):
        parts.append(f'<text x="{pad_l - 6}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" fill="#566573">{tick}</text>')
    parts.append(f'<text x="{pad_l + pw / 2:.0f}" y="{height - 6}" font-size="11" text-anchor="middle" fill="#566573">'
                 f'order of first citation (1–{n})</text>')
    parts.append(f'<text x="12" y="{pad_t + ph / 2:.0f}" font-size="11" text-anchor="middle" fill="#566573" '
                 f'transform="rotate(-90 12 {pad_t + ph / 2:.0f})">reference number</text>')
    r = 2.5 if n < 120 else 1.6
    for i, v in enumerate(numbers):
        cx, cy = x(i), y(v)
        if v in flagged:
            parts.append(f'<g stroke="#c0392b" stroke-width="2"><title>[{v}] first cited at position {i + 1} — out of sequence</title>'
                         f'<line x1="{cx - 5:.1f}" y1="{cy - 5:.1f}" x2="{cx + 5:.1f}" y2="{cy + 5:.1f}"/>'
                         f'<line x1="{cx - 5:.1f}" y1="{cy + 5:.1f}" x2="{cx + 5:.1f}" y2="{cy - 5:.1f}"/></g>')
        else:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}" fill="#2471a3"><title>[{v}] first cited at position {i + 1}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def families_svg(families: dict[str, int], width: int = 300, height: int = 150) -> str:
    """Horizontal bars: findings per rule family."""
    keys = [k for k in FAMILY_LABELS if k != "other" or families.get("other")]
    top = max([families.get(k, 0) for k in keys] + [1])
    row_h = (height - 10) / len(keys)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="findings by rule family">']
    for i, k in enumerate(keys):
        v = families.get(k, 0)
        yy = 5 + i * row_h
        w = (width - 190) * v / top
        parts.append(f'<text x="0" y="{yy + row_h * 0.62:.1f}" font-size="11" fill="#1c2833">{k} {FAMILY_LABELS[k]}</text>'
                     f'<rect x="150" y="{yy + 3:.1f}" width="{w:.1f}" height="{row_h - 6:.1f}" fill="{FAMILY_COLOURS[k]}"/>'
                     f'<text x="{154 + w:.1f}" y="{yy + row_h * 0.62:.1f}" font-size="11" fill="#1c2833">{v}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _empty_svg(width: int, height: int, text: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="{escape(text)}">'
            f'<rect width="{width}" height="{height}" fill="#fbfcfc" stroke="#d5d8dc"/>'
            f'<text x="{width / 2}" y="{height / 2}" font-size="12" text-anchor="middle" fill="#7f8c8d">{escape(text)}</text></svg>')


def _ticks(top: int) -> list[int]:
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10**6) if top / s <= 6)
    return [1] + list(range(step, top + 1, step)) if step > 1 else list(range(1, top + 1))


def _highlight(excerpt: str, text: str) -> str:
    """The sentence with the flagged words marked."""
    if text and text in excerpt:
        i = excerpt.index(text)
        return escape(excerpt[:i]) + "<mark>" + escape(text) + "</mark>" + escape(excerpt[i + len(text):])
    return escape(excerpt) + (f" <mark>{escape(text)}</mark>" if text and not excerpt else "")


def _anchor(row: dict[str, Any]) -> str:
    return "ms-" + "".join(ch if ch.isalnum() else "-" for ch in row["name"])


def render_report(rows: list[dict[str, Any]], weights: dict[str, int] | None = None) -> str:
    """The whole page for ``rows`` as produced by :func:`refcheck.batch.process_one`."""
    weights = weights or {"error": 5, "warning": 2, "info": 1}
    ok = [r for r in rows if r["status"] != "error"]
    total = sum(len(r["findings"]) for r in ok)
    top = max([r["score"] for r in ok] + [1])
    head = ["manuscript", "score", "errors", "warnings", "info", "RC1", "RC2", "RC3", "RC4", "words", "refs", "citations"]
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           "<title>refcheck batch report</title><style>", _CSS, "</style></head><body>",
           "<header><h1>refcheck — batch report</h1>",
           f"<p>{len(rows)} manuscripts · {total} findings · {len(rows) - len(ok)} could not be read · "
           f"triage score = {weights['error']}×errors + {weights['warning']}×warnings + {weights['info']}×info</p></header><main>",
           "<table id='overview'><thead><tr>"]
    out += [f"<th class='{'name' if h == 'manuscript' else ''}'>{h}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for r in rows:
        name = escape(r["name"])
        if r["status"] == "error":
            cells = [f"<td class='name' data-v='{name}'>{name}<br><small>{escape(r['error'] or '')}</small></td>",
                     "<td data-v='999999'>unreadable</td>"] + ["<td data-v='-1'></td>"] * (len(head) - 2)
            out.append("<tr class='error'>" + "".join(cells) + "</tr>")
            continue
        sev, fam = r["severity"], r["families"]
        vals = [r["score"], sev["error"], sev["warning"], sev["info"], fam["RC1"], fam["RC2"], fam["RC3"], fam["RC4"],
                r["words"], r["references"], r["citations"]]
        bar = f"<span class='bar' style='width:{60 * r['score'] / top:.0f}px'></span>"
        cells = [f"<td class='name' data-v='{name}'><a href='#{_anchor(r)}'>{name}</a></td>",
                 f"<td class='score' data-v='{vals[0]}'>{vals[0]}{bar}</td>"]
        cells += [f"<td data-v='{v}'>{v}</td>" for v in vals[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    for r in ok:
        out.append(_section(r))
    out += ["</main><script>", _JS, "</script></body></html>"]
    return "\n".join(out) + "\n"


def _section(r: dict[str, Any]) -> str:
    sev = r["severity"]
    parts = [f"<section class='ms' id='{_anchor(r)}'><h2>{escape(r['name'])}</h2>",
             f"<p class='meta'>{escape(r.get('title') or '')}<br>{escape(r['path'])} · {r['format']} · {r['words']} words · "
             f"{r['references']} references · {r['citations']} citations · score {r['score']} "
             f"({sev['error']} errors, {sev['warning']} warnings, {sev['info']} info)"
             + (f" · annotated copy: <a href='{escape(r['annotated'])}'>{escape(r['annotated'])}</a>" if r.get("annotated") else "")
             + (f" · <a href='{escape(r['json'])}'>JSON</a>" if r.get("json") else "") + "</p>",
             "<div class='figs'>",
             f"<figure>{sequence_svg(r['sequence'])}<figcaption>Citation sequence: each dot is a reference at its first "
             f"citation; the dashed diagonal is perfect order; red crosses are out of sequence (RC101).</figcaption></figure>",
             f"<figure>{families_svg(r['families'])}<figcaption>Findings by rule family.</figcaption></figure></div>"]
    if r["findings"]:
        parts.append("<ol class='findings'>")
        for f in r["findings"]:
            colour = SEV_COLOURS.get(f["severity"], "#566573")
            parts.append(
                f"<li><span class='code'>{escape(f['code'])}</span> {escape(f['name'])} "
                f"<span class='sev' style='background:{colour}'>{escape(f['severity'])}</span> "
                f"<span class='where'>{escape(f['where'])}{' · ' + escape(f['section']) if f['section'] else ''}</span>"
                f"<br>{escape(f['message'])}<blockquote>{_highlight(f['excerpt'], f['text'])}</blockquote>"
                + (f"<span class='sugg'>{escape(f['suggestion'])}</span>" if f.get("suggestion") else "") + "</li>")
        parts.append("</ol>")
    else:
        parts.append("<p>No findings.</p>")
    parts.append("</section>")
    return "\n".join(parts)
