//! The diff page's own toolbar, style and script (trusted text only),
//! added after the shared ones of [`crate::html`].

/// The toolbar: views, next change, unchanged lines hidden (shown only
/// with script, by the base style). Left open: a folder page adds
/// [`FILTER`] before the page closes it.
pub(crate) const TOOLBAR: &str = "<div class=\"toolbar\" id=\"toolbar\">\
<button type=\"button\" data-view=\"side\" aria-pressed=\"true\">Side by side</button>\
<button type=\"button\" data-view=\"inline\" aria-pressed=\"false\">Inline</button>\
<button type=\"button\" data-act=\"next\" title=\"key: n\">Next change</button>\
<button type=\"button\" data-act=\"context\" aria-pressed=\"false\">Hide unchanged lines</button>";

/// The filter of a folder page's list of files.
pub(crate) const FILTER: &str =
    "<input type=\"search\" id=\"filter\" placeholder=\"Filter files\" aria-label=\"Filter files\">";

/// The diff page's own rules, after [`crate::html::BASE_STYLE`].
pub(crate) const STYLE: &str = r#"
header h1 .old, header h1 .new { overflow-wrap: anywhere; }
.toolbar button[aria-pressed="true"] { background: var(--accent); color: #fff; border-color: var(--accent); }
.toolbar button, .toolbar input { font: inherit; padding: .15rem .6rem; border: 1px solid var(--line); border-radius: 3px; background: #fff; }
.status { font: 600 11px/1.4 system-ui, sans-serif; text-transform: uppercase; padding: 1px 5px; border-radius: 3px; background: #fde9b8; }
.status.added { background: var(--ins-strong); } .status.removed { background: var(--del-strong); }
.status.renamed { background: var(--move); }
table.files col.st { width: 7rem; } table.files col.num { width: 6rem; }
table.files td:nth-child(n+3) { text-align: right; font-variant-numeric: tabular-nums; }
section.doc { margin-top: 2rem; contain: none; }
.doc h2 .up { text-decoration: none; font-size: .9rem; }
.docfig { color: var(--muted); margin: 0 0 .5rem; }
table.diff { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC", monospace; font-size: 13px; }
table.diff col.n { width: 4.2em; } table.diff col.s { width: 1.6em; }
table.diff td { border: 0; padding: 0 .4rem; }
table.diff td.t { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; }
table.diff td.n { text-align: right; color: var(--muted); user-select: none; border-right: 1px solid var(--line); }
table.diff td.s { text-align: center; user-select: none; }
table.diff td.del { background: var(--del); } table.diff td.ins { background: var(--ins); }
table.diff td.none { background: #f3f3f3; }
tbody.chg { scroll-margin-top: 3.5rem; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
tbody.mv td.del, tbody.mv td.ins { background: var(--move); }
tbody.mv td.del { text-decoration: line-through; text-decoration-color: #99a; }
tr.mvlink td { background: var(--move); font: 12px/1.6 system-ui, sans-serif; }
tr.damagenote td { background: #fff3c4; font: 12px/1.6 system-ui, sans-serif; }
tbody.hunk td { background: #eef3fb; color: var(--muted); font-size: 12px; }
tbody.cut td { font: 13px/1.45 system-ui, sans-serif; }
.cut { color: var(--muted); background: #f3f3f3; font-style: italic; }
details.inline { margin-top: .6rem; }
.js.view-inline .view.side { display: none; }
.js:not(.view-inline) .view.inline { display: none; }
.js .view.inline > summary { display: none; }
.js.hide-context tbody.ctx { display: none; }
"#;

/// The diff page's own script, after [`crate::html::BASE_SCRIPT`]: the
/// toolbar's views, next change (also the `n` key), unchanged lines hidden,
/// and the filter of the list of files.
pub(crate) const SCRIPT: &str = r##"
(function () {
  const root = document.documentElement;
  const bar = document.getElementById("toolbar");
  if (!bar) return;
  const inline = () => root.classList.contains("view-inline");
  function show(view) {
    root.classList.toggle("view-inline", view === "inline");
    if (view === "inline") for (const d of document.querySelectorAll("details.inline")) d.open = true;
    for (const b of bar.querySelectorAll("button[data-view]")) b.setAttribute("aria-pressed", String(b.dataset.view === view));
  }
  function next() { doppel.next(inline() ? ".inline tbody.chg" : ".side tbody.chg"); }
  bar.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.view) show(b.dataset.view);
    else if (b.dataset.act === "next") next();
    else if (b.dataset.act === "context") b.setAttribute("aria-pressed", String(root.classList.toggle("hide-context")));
  });
  const filter = document.getElementById("filter");
  if (filter) filter.addEventListener("input", () => doppel.filter(filter, "table.files tbody tr"));
  document.addEventListener("keydown", (e) => {
    if (e.key !== "n" || e.ctrlKey || e.metaKey || e.altKey || (e.target.closest && e.target.closest("input, textarea"))) return;
    next();
  });
  // A link into a view that is hidden shows that view first.
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[href^='#']");
    const target = a && document.getElementById(a.getAttribute("href").slice(1));
    if (target && target.closest(".view.inline") && !inline()) show("inline");
    if (target && target.closest(".view.side") && inline()) show("side");
  });
  window.doppel.show = show;
})();
"##;
