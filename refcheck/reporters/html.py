"""``report.html`` for a batch: one self-contained page an editor opens from disk.

Everything is inline — CSS, a few lines of JavaScript to sort the table and filter
the findings, and the pictures, drawn here as SVG — because the report is mailed
around and opened on desks without a network; nothing is fetched from anywhere.
Without JavaScript the page still shows everything (the filter bar is hidden).

What an editor needs from it, and how the page gives it:

- *which manuscript first*: the overview table, worst triage score first, with the
  score bars on one scale across manuscripts (a short bar means a clean manuscript,
  not a manuscript compared with itself);
- *what kind of problem*: each manuscript's findings grouped by severity and then by
  rule, each group saying how often that rule is right, with a filter by severity,
  rule, measured precision and text;
- *how bad the numbering is*: a citation-sequence plot that stays readable with
  hundreds of references — in-order points faint, out-of-sequence ones red with a
  stem from where they belong, ticks on both axes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from refcheck.rule import OTHER_FAMILY, Family, family_of

# Bars of families whose plugin gives no colour, in turn.
_PALETTE = ("#566573", "#1abc9c", "#34495e", "#a04000", "#7d3c98", "#1f618d")
SEV_COLOURS = {"error": "#c0392b", "warning": "#b9770e", "info": "#2471a3"}
SEVERITIES = ("error", "warning", "info")
SEV_PLURAL = {"error": "errors", "warning": "warnings", "info": "info"}
STATUS_TEXT = {"error": "unreadable", "annotation-failed": "not annotated", "skipped": "skipped"}

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1c2833;background:#f4f6f7}
header{background:#1c2833;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#d5d8dc}main{padding:20px 32px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0002}
th,td{padding:6px 10px;border-bottom:1px solid #e5e8e8;text-align:right;white-space:nowrap}
th{background:#eaeded;cursor:pointer;user-select:none;position:sticky;top:0}th:after{content:' \\2195';color:#99a3a4}
td.name,th.name{text-align:left;white-space:normal}tr.error td,tr.annotation-failed td{background:#fdedec}
tr.skipped td{color:#7f8c8d;background:#fbfcfc}small.err{color:#922b21}
.score{font-weight:700}.bar{display:inline-block;height:10px;background:#c0392b;vertical-align:middle;margin-left:6px}
section.ms{background:#fff;margin:28px 0;padding:16px 22px;box-shadow:0 1px 2px #0002}
section.ms h2{margin:0 0 4px;font-size:18px}.meta{color:#566573;margin:0 0 10px}.alert{color:#922b21;font-weight:600}
.figs{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}.figs figure{margin:0;max-width:100%}
.figs figcaption{font-size:12px;color:#566573;max-width:560px}
h3.sev{font-size:15px;margin:14px 0 4px}details.rule{margin:4px 0 4px 4px}
details.rule>summary{cursor:pointer;padding:3px 0}.prec{color:#7f8c8d;font-size:12px}
ol.findings{padding-left:22px;margin:4px 0}ol.findings li{margin:8px 0}
.code{font-family:ui-monospace,monospace;font-weight:700}.sev{font-size:12px;padding:1px 6px;border-radius:8px;color:#fff}
blockquote{margin:4px 0;padding:4px 10px;border-left:3px solid #d5d8dc;color:#2c3e50;background:#fbfcfc}
mark{background:#f9e79f;padding:0 1px}.sugg{color:#1e8449;font-size:13px}.where{color:#7f8c8d;font-size:12px}
#filters{display:none;background:#fff;box-shadow:0 1px 2px #0002;padding:8px 14px;margin:0 0 16px;position:sticky;top:0;z-index:2}
.js #filters{display:block}#filters fieldset{display:inline-block;border:0;margin:0 14px 0 0;padding:2px 0}
#filters legend{float:left;margin-right:6px;font-weight:600;font-size:13px}#filters label{font-size:13px;margin-right:8px;white-space:nowrap}
#filters input[type=search]{width:200px}
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
var form = document.getElementById('filters');
if (form) {
  document.documentElement.className += ' js';
  var apply = function(){
    var on = function(name){ return new Set(Array.from(form.querySelectorAll('input[name=' + name + ']:checked')).map(function(i){ return i.value; })); };
    var sev = on('sev'), code = on('code'), q = form.q.value.trim().toLowerCase(), min = parseFloat(form.prec.value);
    document.querySelectorAll('li.finding').forEach(function(li){
      li.hidden = !(sev.has(li.dataset.sev) && code.has(li.dataset.code) && parseFloat(li.dataset.prec) >= min &&
                    (!q || li.textContent.toLowerCase().indexOf(q) >= 0));
    });
    document.querySelectorAll('details.rule, div.sevgroup').forEach(function(g){
      var n = g.querySelectorAll('li.finding:not([hidden])').length;
      g.hidden = n === 0;
      var c = g.querySelector('.shown'); if (c) c.textContent = n;
    });
  };
  // A view can be shared as a link: report.html#sev=error,warning&code=RC202&prec=0.75&q=liver
  var h = new URLSearchParams(location.hash.slice(1));
  ['sev', 'code'].forEach(function(name){
    if (!h.has(name)) return;
    var want = h.get(name).split(',');
    form.querySelectorAll('input[name=' + name + ']').forEach(function(i){ i.checked = want.indexOf(i.value) >= 0; });
  });
  if (h.has('q')) form.q.value = h.get('q');
  if (h.has('prec')) form.prec.value = h.get('prec');
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  apply();
}
"""


def sequence_svg(seq: dict[str, Any], width: int | None = None, height: int | None = None) -> str:
    """Reference number (y) against the order of its first citation (x).

    A manuscript numbered in order of first citation is a straight diagonal.  With a
    few dozen references the dots show it; with two hundred they merge into a solid
    line that hides the few that matter.  So in-order points are small and faint, the
    diagonal is a faint guide, and every point RC101 flagged is a red cross on top
    with a red stem from where it belongs on the diagonal to where it is, so an editor
    sees at a glance how many references jump and how far.  Both axes have ticks.
    """
    numbers: list[int] = seq.get("numbers", [])
    flagged = set(seq.get("out_of_sequence", []))
    n = len(numbers)
    big = n > 60 or seq.get("references", 0) > 60
    width = width or (560 if big else 420)
    height = height or (320 if big else 240)
    if not numbers:
        return _empty_svg(width, height, "no numbered citations")
    pad_l, pad_b, pad_t, pad_r = 46, 38, 12, 14
    top = max(max(numbers), seq.get("references", 0), n, 1)
    pw, ph = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i: float) -> float:  # i: 1-based position
        return pad_l + (i - 1) / max(n - 1, 1) * pw

    def y(v: float) -> float:
        return pad_t + ph - (v - 1) / max(top - 1, 1) * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="citation sequence: {n} references cited, {len(flagged)} out of sequence">',
             f'<rect x="{pad_l}" y="{pad_t}" width="{pw}" height="{ph}" fill="#fbfcfc" stroke="#d5d8dc"/>']
    for tick in _ticks(top):
        parts.append(f'<line x1="{pad_l}" x2="{pad_l + pw}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#eef0f1"/>'
                     f'<text x="{pad_l - 6}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" fill="#566573">{tick}</text>')
    for tick in _ticks(n):
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{pad_t + ph}" y2="{pad_t + ph + 4}" stroke="#99a3a4"/>'
                     f'<text x="{x(tick):.1f}" y="{pad_t + ph + 15}" font-size="10" text-anchor="middle" fill="#566573">{tick}</text>')
    parts.append(f'<line x1="{x(1):.1f}" y1="{y(1):.1f}" x2="{x(n):.1f}" y2="{y(n):.1f}" stroke="#d5d8dc" stroke-width="1"/>')
    parts.append(f'<text x="{pad_l + pw / 2:.0f}" y="{height - 4}" font-size="11" text-anchor="middle" fill="#566573">'
                 f'order of first citation</text>')
    parts.append(f'<text x="12" y="{pad_t + ph / 2:.0f}" font-size="11" text-anchor="middle" fill="#566573" '
                 f'transform="rotate(-90 12 {pad_t + ph / 2:.0f})">reference number</text>')
    r = 2.6 if n <= 60 else (1.8 if n <= 150 else 1.3)
    opacity = 0.75 if n <= 60 else 0.4
    dots, crosses = [], []
    for i, v in enumerate(numbers, 1):
        cx, cy = x(i), y(v)
        if v in flagged:
            crosses.append(f'<g stroke="#c0392b" stroke-width="2"><title>[{v}] first cited at position {i} — out of sequence</title>'
                           f'<line x1="{cx:.1f}" y1="{y(i):.1f}" x2="{cx:.1f}" y2="{cy:.1f}" stroke-width="1" opacity="0.6"/>'
                           f'<line x1="{cx - 5:.1f}" y1="{cy - 5:.1f}" x2="{cx + 5:.1f}" y2="{cy + 5:.1f}"/>'
                           f'<line x1="{cx - 5:.1f}" y1="{cy + 5:.1f}" x2="{cx + 5:.1f}" y2="{cy - 5:.1f}"/></g>')
        else:
            dots.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}"><title>[{v}] first cited at position {i}</title></circle>')
    parts.append(f'<g fill="#2471a3" fill-opacity="{opacity}">' + "".join(dots) + "</g>")
    parts.extend(crosses)  # last, so they are drawn on top of the dots
    parts.append("</svg>")
    return "".join(parts)


def _families_of(counts: Iterable[dict[str, int]]) -> list[Family]:
    """Families named only by the prefixes of the counts (a caller that passes none)."""
    prefixes = sorted({k for c in counts for k in c if k != OTHER_FAMILY.prefix})
    return [Family(p, p, _PALETTE[i % len(_PALETTE)]) for i, p in enumerate(prefixes)]


def families_svg(counts: dict[str, int], families: Sequence[Family] | None = None, width: int = 300,
                 height: int = 150, scale: int | None = None) -> str:
    """Horizontal bars: findings per rule family (the registered families, a plugin's
    too), on ``scale`` (the batch's largest family count) so bars of different
    manuscripts compare; their own maximum if None."""
    shown = list(families) if families is not None else _families_of([counts])
    if counts.get(OTHER_FAMILY.prefix):
        shown.append(OTHER_FAMILY)
    keys = [f.prefix for f in shown]
    labels = {f.prefix: f.title for f in shown}
    colours = {f.prefix: f.colour for f in shown}
    top = max([scale or 0] + [counts.get(k, 0) for k in keys] + [1])
    row_h = (height - 22) / len(keys)
    span = width - 190
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="findings by rule family, scale 0 to {top}">']
    for i, k in enumerate(keys):
        v = counts.get(k, 0)
        yy = 5 + i * row_h
        w = span * v / top
        label = escape(k if labels[k] == k else f"{k} {labels[k]}")
        parts.append(f'<text x="0" y="{yy + row_h * 0.62:.1f}" font-size="11" fill="#1c2833">{label}</text>'
                     f'<rect x="150" y="{yy + 3:.1f}" width="{w:.1f}" height="{row_h - 6:.1f}" fill="{escape(colours[k])}"/>'
                     f'<text x="{154 + w:.1f}" y="{yy + row_h * 0.62:.1f}" font-size="11" fill="#1c2833">{v}</text>')
    base = 5 + len(keys) * row_h
    parts.append(f'<line x1="150" x2="{150 + span}" y1="{base:.1f}" y2="{base:.1f}" stroke="#99a3a4"/>'
                 f'<text x="150" y="{base + 13:.1f}" font-size="10" fill="#566573">0</text>'
                 f'<text x="{150 + span}" y="{base + 13:.1f}" font-size="10" text-anchor="end" fill="#566573">{top}</text>')
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


def _family(code: str, families: Sequence[Family]) -> str:
    fam = family_of(code, families)
    return fam.prefix if any(f.prefix == fam.prefix for f in families) else OTHER_FAMILY.prefix


def _filters(rows: list[dict[str, Any]]) -> str:
    """The filter bar: severity, rule, measured precision, text (shown only with JavaScript)."""
    codes: dict[str, str] = {}
    for r in rows:
        for f in r.get("findings") or []:
            codes.setdefault(f["code"], f["name"])
    if not codes:
        return ""
    sev = "".join(f"<label><input type='checkbox' name='sev' value='{s}' checked> {s}</label>" for s in SEVERITIES)
    rules = "".join(f"<label title='{escape(codes[c])}'><input type='checkbox' name='code' value='{escape(c)}' checked> {escape(c)}</label>"
                    for c in sorted(codes))
    prec = ("<label>rule right at least <select name='prec'><option value='0'>any</option>"
            "<option value='0.5'>50 %</option><option value='0.75'>75 %</option></select></label>")
    return (f"<form id='filters' onsubmit='return false'><fieldset><legend>severity</legend>{sev}</fieldset>"
            f"<fieldset><legend>rules</legend>{rules}</fieldset><fieldset>{prec}</fieldset>"
            f"<fieldset><input type='search' name='q' placeholder='filter by text' aria-label='filter by text'></fieldset></form>")


def render_report(rows: list[dict[str, Any]], weights: dict[str, float] | None = None,
                  families: Sequence[Family] | None = None) -> str:
    """The whole page for ``rows`` as produced by :func:`refcheck.batch.process_one`
    (plus ``status: "skipped"`` rows for the files the batch left out); one column and
    bar per rule family in ``families`` (the registered ones, as batch passes them)."""
    weights = weights or {"error": 3, "warning": 1, "info": 0.25}
    checked = [r for r in rows if r["status"] in ("ok", "annotation-failed")]
    if families is None:
        families = _families_of(r["families"] for r in checked)
    unreadable = sum(1 for r in rows if r["status"] == "error")
    skipped = sum(1 for r in rows if r["status"] == "skipped")
    not_annotated = sum(1 for r in rows if r["status"] == "annotation-failed")
    total = sum(len(r["findings"]) for r in checked)
    top = max([r["score"] for r in checked] + [1])
    fam_scale = max([v for r in checked for v in r["families"].values()] + [1])
    head = ["manuscript", "score", "errors", "warnings", "info", *(f.prefix for f in families), "words", "refs",
            "citations"]
    w = {k: f"{v:g}" for k, v in weights.items()}
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           "<title>refcheck batch report</title><style>", _CSS, "</style></head><body>",
           "<header><h1>refcheck — batch report</h1>",
           f"<p>{len(checked) + unreadable} manuscripts · {total} findings · {unreadable} could not be read"
           + (f" · {not_annotated} could not be annotated" if not_annotated else "")
           + (f" · {skipped} other files skipped" if skipped else "") + "</p>"
           f"<p>triage score = findings per 1,000 words of text (at least 1,000), each weighted by severity "
           f"(error {w['error']}, warning {w['warning']}, info {w['info']}) × how often its rule is right</p></header><main>",
           _filters(checked),
           "<table id='overview'><thead><tr>"]
    out += [f"<th class='{'name' if h == 'manuscript' else ''}'>{h}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for r in rows:
        name = escape(r["name"])
        if r["status"] in ("error", "skipped"):
            label = STATUS_TEXT[r["status"]]
            cells = [f"<td class='name' data-v='{name}'>{name}<br><small class='err'>{escape(r['error'] or '')}</small></td>",
                     f"<td data-v='{999999 if r['status'] == 'error' else -2}'>{label}</td>"] + ["<td data-v='-1'></td>"] * (len(head) - 2)
            out.append(f"<tr class='{r['status']}'>" + "".join(cells) + "</tr>")
            continue
        sev, fam = r["severity"], r["families"]
        vals = [r["score"], sev["error"], sev["warning"], sev["info"], *(fam.get(f.prefix, 0) for f in families),
                r["words"], r["references"], r["citations"]]
        bar = f"<span class='bar' style='width:{80 * r['score'] / top:.0f}px'></span>"
        note = f"<br><small class='err'>{escape(r['error'])}</small>" if r.get("error") else ""
        cells = [f"<td class='name' data-v='{name}'><a href='#{_anchor(r)}'>{name}</a>{note}</td>",
                 f"<td class='score' data-v='{vals[0]}'>{vals[0]:.2f}{bar}</td>"]
        cells += [f"<td data-v='{v}'>{v}</td>" for v in vals[1:]]
        out.append(f"<tr class='{r['status']}'>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    for r in checked:
        out.append(_section(r, fam_scale, families))
    out += ["</main><script>", _JS, "</script></body></html>"]
    return "\n".join(out) + "\n"


def _section(r: dict[str, Any], fam_scale: int, families: Sequence[Family]) -> str:
    sev = r["severity"]
    seq = r["sequence"]
    flagged = seq.get("out_of_sequence", [])
    parts = [f"<section class='ms' id='{_anchor(r)}'><h2>{escape(r['name'])}</h2>",
             f"<p class='meta'>{escape(r.get('title') or '')}<br>{escape(r['path'])} · {r['format']} · {r['words']} words · "
             f"{r['references']} references · {r['citations']} citations · score {r['score']:.2f} "
             f"({sev['error']} errors, {sev['warning']} warnings, {sev['info']} info)"
             + (f" · annotated copy: <a href='{escape(r['annotated'])}'>{escape(r['annotated'])}</a>" if r.get("annotated") else "")
             + (f" · <a href='{escape(r['json'])}'>JSON</a>" if r.get("json") else "") + "</p>"]
    if r["status"] == "annotation-failed":
        parts.append(f"<p class='alert'>No annotated copy: {escape(r.get('error') or '')}</p>")
    parts += ["<div class='figs'>",
              f"<figure>{sequence_svg(seq)}<figcaption>Citation sequence: each dot is a reference at its first "
              f"citation; the faint diagonal is perfect order; red crosses are out of sequence (RC101)"
              + (f": {', '.join(f'[{n}]' for n in flagged[:20])}{' …' if len(flagged) > 20 else ''}" if flagged else ", none here")
              + ".</figcaption></figure>",
              f"<figure>{families_svg(r['families'], families, scale=fam_scale)}<figcaption>Findings by rule family "
              f"(one scale for every manuscript of this batch).</figcaption></figure></div>"]
    if not r["findings"]:
        parts.append("<p>No findings.</p></section>")
        return "\n".join(parts)
    for s in SEVERITIES:
        mine = [f for f in r["findings"] if f["severity"] == s]
        if not mine:
            continue
        parts.append(f"<div class='sevgroup'><h3 class='sev' style='color:{SEV_COLOURS[s]}'>{SEV_PLURAL[s].capitalize()} "
                     f"(<span class='shown'>{len(mine)}</span>)</h3>")
        by_rule: dict[str, list[dict[str, Any]]] = {}
        for f in mine:
            by_rule.setdefault(f["code"], []).append(f)
        # The rules an editor can trust most first; then the bigger groups.
        for code, group in sorted(by_rule.items(), key=lambda kv: (-kv[1][0].get("precision", 0.5), -len(kv[1]), kv[0])):
            prec = group[0].get("precision", 0.5)
            parts.append(f"<details class='rule' {'open' if len(group) <= 12 else ''}><summary><span class='code'>{escape(code)}</span> "
                         f"{escape(group[0]['name'])} — <span class='shown'>{len(group)}</span> "
                         f"<span class='prec'>(this rule is right about {100 * prec:.0f} % of the time)</span></summary>"
                         "<ol class='findings'>")
            for f in group:
                parts.append(
                    f"<li class='finding' data-sev='{s}' data-code='{escape(code)}' data-family='{_family(code, families)}' "
                    f"data-prec='{prec:.3f}'><span class='sev' style='background:{SEV_COLOURS[s]}'>{s}</span> "
                    f"<span class='where'>{escape(f['where'].removeprefix(r['path'] + ':'))}{' · ' + escape(f['section']) if f['section'] else ''}</span>"
                    f"<br>{escape(f['message'])}<blockquote>{_highlight(f['excerpt'], f['text'])}</blockquote>"
                    + (f"<span class='sugg'>{escape(f['suggestion'])}</span>" if f.get("suggestion") else "") + "</li>")
            parts.append("</ol></details>")
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)
