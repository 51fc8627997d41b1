/**
 * The page's stylesheet and script, served as files (/static/...) so the Content-Security-Policy can forbid every
 * inline script and style. Light and dark follow prefers-color-scheme; the layout is one column on a phone.
 */
export const STYLESHEET = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#5b6470;--card:#f4f6f8;--line:#d0d7de;
--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--unk:#6e7781;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--card:#161b22;--line:#30363d;
--ok:#3fb950;--bad:#f85149;--warn:#d29922;--unk:#8d96a0;--link:#58a6ff}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:980px;margin:0 auto;padding:12px 16px 48px}a{color:var(--link)}
h1{font-size:1.4rem;margin:.4em 0}h2{font-size:1.15rem;margin:1.4em 0 .5em;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:.3em 0}h4{margin:.5em 0 .2em;font-size:.95rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
.muted{color:var(--muted)}.small{font-size:.85rem}
.verdict{padding:12px 16px;border-radius:10px;background:var(--card);border-left:6px solid var(--unk)}
.verdict-reachable{border-color:var(--ok)}.verdict-broken{border-color:var(--bad)}.verdict-inconclusive{border-color:var(--warn)}
.verdict p{margin:.2em 0}
.badge{display:inline-block;padding:0 .5em;border-radius:1em;font-size:.8rem;font-weight:600;color:#fff;background:var(--unk)}
.badge-error,.badge-broken{background:var(--bad)}.badge-warning{background:var(--warn)}
.badge-ok,.badge-reachable{background:var(--ok)}.badge-inconclusive{background:var(--warn)}
.diagnosis{background:var(--card);border-radius:10px;padding:10px 14px;margin:10px 0;border-left:4px solid var(--unk)}
.diagnosis.sev-error{border-color:var(--bad)}.diagnosis.sev-warning{border-color:var(--warn)}
.fix{border-top:1px dashed var(--line);margin-top:6px}
.rule{color:var(--muted);font-weight:400;font-size:.8rem}
.path-scroll{overflow-x:auto}svg.path{min-width:480px;width:100%;height:auto;max-height:120px}
.hop rect{fill:var(--card);stroke:var(--ok);stroke-width:2}.hop-broken rect{stroke:var(--bad);stroke-width:4}
.hop-warning rect{stroke:var(--warn)}.hop-unknown rect{stroke:var(--unk);stroke-dasharray:5 4}
.hop text{fill:var(--fg);font-size:13px}.hop .hop-detail{fill:var(--muted);font-size:11px}
.link{stroke:var(--muted);stroke-width:2}.link-broken{stroke:var(--bad);stroke-dasharray:4 4}
.arrowhead{fill:var(--muted)}.cut{fill:var(--bad);font-weight:700}
ol.hops{padding-left:1.4em;font-size:.9rem}
table.forwards{border-collapse:collapse;width:100%;font-size:.9rem}
.forwards td,.forwards th{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left}
svg.timeline{width:100%;height:40px;display:block;border-radius:6px;background:var(--card)}
.band-reachable{fill:var(--ok)}.band-broken{fill:var(--bad)}.band-inconclusive{fill:var(--warn)}
.band:hover,.band.selected{opacity:.7}
.axis{display:flex;justify-content:space-between;font-size:.75rem;color:var(--muted)}
ol.changes{list-style:none;padding:0;font-size:.9rem}ol.changes li{padding:3px 0;border-bottom:1px solid var(--line)}
nav.range a{margin-right:.8em}footer{margin-top:2em;font-size:.8rem;color:var(--muted)}
@media (max-width:600px){body{font-size:15px}main{padding:8px 10px 32px}h1{font-size:1.2rem}}
`;

export const TIMELINE_SCRIPT = `'use strict';
(function () {
  var detail = document.getElementById('timeline-detail');
  var svg = document.getElementById('timeline');
  if (svg && detail) {
    var show = function (event) {
      var band = event.target.closest && event.target.closest('rect.band');
      if (!band) return;
      var old = svg.querySelector('.selected');
      if (old) old.classList.remove('selected');
      band.classList.add('selected');
      detail.textContent = band.getAttribute('data-at') + ': ' + band.getAttribute('data-band') + ', ' +
        band.getAttribute('data-cause');
    };
    svg.addEventListener('mouseover', show);
    svg.addEventListener('focusin', show);
  }
  // Live: reload when the state changes (band or top cause), not on every run; only while the tab is visible.
  var body = document.body;
  var shown = body.getAttribute('data-state');
  var every = Math.max(5000, Math.min(60000, Number(body.getAttribute('data-interval-ms')) || 30000));
  if (!shown || !window.fetch) return;
  setInterval(function () {
    if (document.hidden) return;
    fetch('/api/history?limit=1', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        var now = data && data.current ? data.current.band + '|' + (data.current.topRule || '') : shown;
        if (now !== shown) location.reload();
      })
      .catch(function () {});
  }, every);
})();
`;
