//! What every HTML page doppel writes shares: escaping of untrusted text,
//! and the page shell (one self-contained file: no network, styles and
//! script inline, readable with scripts off).
//!
//! Every byte of a document's text reaches a page through [`escape`], which
//! leaves no markup-significant character (`& < > " '`) raw and shows
//! bidirectional and other invisible control characters as visible marks, so
//! a document holding `<script>`, `</style>`, quotes or a right-to-left
//! override can neither run code nor reorder the text around it. Renderers
//! of the scan, clean and diff pages (in their own modules) build their
//! bodies with these and hand them to [`Page`].

use std::fmt::Write as _;

/// Text escaped for an HTML text node or a quoted attribute value.
///
/// `& < > " '` become character references; bidirectional formatting
/// characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and
/// C0/C1 control characters other than tab and line feed become a visible
/// `<span class="ctl">` naming the code point, so they cannot reorder or
/// hide the text around them. Everything else passes through unchanged.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    escape_into(&mut out, text);
    out
}

/// [`escape`], appending to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (at, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if is_hidden_control(c) => "",
            _ => continue,
        };
        out.push_str(&text[start..at]);
        if replacement.is_empty() {
            let _ = write!(out, "<span class=\"ctl\">U+{:04X}</span>", c as u32);
        } else {
            out.push_str(replacement);
        }
        start = at + c.len_utf8();
    }
    out.push_str(&text[start..]);
}

/// Text escaped for an attribute value only: like [`escape`], but control
/// characters become `U+XXXX` text rather than markup (an attribute cannot
/// hold elements).
pub fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_hidden_control(c) => {
                let _ = write!(out, "U+{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Characters that change how the text around them is shown without
/// showing themselves: bidirectional formatting and control characters
/// (tab and line feed excepted; a carriage return is shown too).
fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    ) || (c.is_control() && c != '\t' && c != '\n')
}

/// The stylesheet every page starts from; a page adds its own rules.
pub const BASE_STYLE: &str = r#"
:root { --ins: #d7f5dd; --ins-strong: #8fe0a0; --del: #fbe0e0; --del-strong: #f2a0a0;
  --move: #e4e4fb; --muted: #666; --line: #ddd; --accent: #2456a6; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans", sans-serif;
  margin: 0 auto; padding: 1rem 1.5rem 4rem; max-width: 90rem; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.4rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
a { color: var(--accent); }
pre, code, .text { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC", monospace; font-size: 13px; }
pre, .text { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; margin: 0; }
section, article, details, td, th { contain: content; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; vertical-align: top; text-align: left; overflow: hidden; }
th { background: #f6f6f6; font-weight: 600; }
.muted { color: var(--muted); }
.note { background: #fff8dc; border: 1px solid #eedc82; padding: .4rem .6rem; margin: .6rem 0; }
.figures { display: flex; flex-wrap: wrap; gap: .6rem; margin: .4rem 0 1rem; padding: 0; list-style: none; }
.figures li { border: 1px solid var(--line); border-radius: 4px; padding: .35rem .7rem; min-width: 9rem; }
.figures b { display: block; font-size: 1.2rem; }
.ctl { font: 10px/1 ui-monospace, monospace; background: #333; color: #fff; border-radius: 2px; padding: 0 2px; margin: 0 1px; unicode-bidi: isolate; }
ins, .ins { background: var(--ins); text-decoration: none; }
del, .del { background: var(--del); text-decoration: none; }
ins.strong, .ins .strong { background: var(--ins-strong); }
del.strong, .del .strong { background: var(--del-strong); }
.toolbar { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: .4rem 0; z-index: 1; display: none; gap: .6rem; align-items: center; }
.js .toolbar { display: flex; }
.hidden { display: none !important; }
.bar { display: inline-block; height: .8em; background: var(--accent); vertical-align: middle; }
details > summary { cursor: pointer; }
:target { outline: 2px solid var(--accent); outline-offset: 2px; }
"#;

/// The script every page starts from: marks the page as scripted (so the
/// toolbar shows) and offers `doppel.filter(input, selector)`, which hides
/// the elements matching `selector` whose text does not contain the
/// input's value, and `doppel.next(selector)`, which scrolls to the next
/// element matching `selector` below the current position, opening the
/// `<details>` around it.
pub const BASE_SCRIPT: &str = r##"
"use strict";
document.documentElement.classList.add("js");
window.doppel = {
  filter(input, selector) {
    const needle = input.value.toLowerCase();
    for (const el of document.querySelectorAll(selector)) {
      el.classList.toggle("hidden", needle !== "" && !el.textContent.toLowerCase().includes(needle));
    }
  },
  next(selector) {
    const all = Array.from(document.querySelectorAll(selector)).filter(e => !e.closest(".hidden"));
    // A finding inside a closed <details> has no box of its own: it sits
    // where the outermost closed <details> around it is shown.
    const shownAt = e => {
      let anchor = e;
      for (let d = e.closest("details:not([open])"); d; d = d.parentElement && d.parentElement.closest("details:not([open])")) anchor = d;
      return anchor.getBoundingClientRect().top + window.scrollY;
    };
    const y = window.scrollY + 60;
    const target = all.find(e => shownAt(e) > y) || all[0];
    if (!target) return;
    for (let d = target.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    target.scrollIntoView({ block: "start" });
    if (target.id) history.replaceState(null, "", "#" + target.id);
  },
};
"##;

/// What [`Page::document_toolbar`]'s controls do; `FINDINGS` is replaced
/// by the selector of the findings, as a JavaScript string.
const DOCUMENT_TOOLBAR_SCRIPT: &str = r#"
(function () {
  const box = document.getElementById("filter");
  const shown = document.getElementById("shown");
  const docs = () => Array.from(document.querySelectorAll(".doc"));
  box.addEventListener("input", () => {
    doppel.filter(box, ".doc");
    const all = docs(), visible = all.filter(d => !d.classList.contains("hidden")).length;
    shown.textContent = box.value ? visible + " of " + all.length + " documents" : "";
  });
  const next = () => doppel.next(FINDINGS);
  document.getElementById("next").addEventListener("click", next);
  const setAll = open => { for (const d of document.querySelectorAll("details")) d.open = open; };
  document.getElementById("expand").addEventListener("click", () => setAll(true));
  document.getElementById("collapse").addEventListener("click", () => setAll(false));
  document.addEventListener("keydown", e => { if (e.key === "n" && e.target === document.body) next(); });
})();
"#;

/// One self-contained HTML page: a title, the page's own styles and script
/// (added after the base ones) and its body.
#[derive(Debug, Clone, Default)]
pub struct Page {
    title: String,
    style: String,
    script: String,
    body: String,
}

impl Page {
    /// A page with this title (escaped here; pass plain text).
    pub fn new(title: &str) -> Self {
        Page {
            title: title.to_string(),
            ..Page::default()
        }
    }

    /// Adds CSS rules after [`BASE_STYLE`]. Trusted text only (never a
    /// document's text).
    pub fn style(&mut self, css: &str) -> &mut Self {
        self.style.push_str(css);
        self
    }

    /// Adds script after [`BASE_SCRIPT`]. Trusted text only (never a
    /// document's text).
    pub fn script(&mut self, js: &str) -> &mut Self {
        self.script.push_str(js);
        self
    }

    /// The body under construction: append markup built with [`escape`].
    pub fn body(&mut self) -> &mut String {
        &mut self.body
    }

    /// Appends the toolbar of a page of `.doc` sections (shown only with
    /// scripts on): a filter box over the documents with an "N of M
    /// documents" count, a button (and the `n` key) labelled `next_label`
    /// that jumps to the next element matching `findings`, and expand all /
    /// collapse all. Both arguments are trusted text, never a document's.
    pub fn document_toolbar(&mut self, next_label: &str, findings: &str) -> &mut Self {
        let _ = writeln!(
            self.body,
            "<div class=\"toolbar\" role=\"toolbar\">\
             <input id=\"filter\" type=\"search\" placeholder=\"Filter documents\" aria-label=\"Filter documents\" autocomplete=\"off\">\
             <button type=\"button\" id=\"next\" title=\"{label} (n)\">{label}</button>\
             <button type=\"button\" id=\"expand\">Expand all</button>\
             <button type=\"button\" id=\"collapse\">Collapse all</button>\
             <span id=\"shown\" class=\"muted\"></span></div>",
            label = escape(next_label)
        );
        let selector = serde_json::to_string(findings).unwrap_or_else(|_| "\"\"".to_owned());
        self.script(&DOCUMENT_TOOLBAR_SCRIPT.replace("FINDINGS", &selector));
        self
    }

    /// The finished page.
    pub fn finish(&self) -> String {
        let mut out = String::with_capacity(self.body.len() + BASE_STYLE.len() + 4096);
        out.push_str("<!DOCTYPE html>\n<html lang=\"und\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        // Nothing on the page may load from elsewhere or run but its own
        // inline script; forms and frames go nowhere.
        out.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; \
             form-action 'none'; base-uri 'none'\">\n",
        );
        out.push_str("<meta name=\"generator\" content=\"doppel ");
        out.push_str(env!("CARGO_PKG_VERSION"));
        out.push_str("\">\n<title>");
        // A title holds text only, so controls are named, not marked up.
        out.push_str(&escape_attribute(&self.title));
        out.push_str("</title>\n<style>");
        out.push_str(BASE_STYLE);
        out.push_str(&self.style);
        out.push_str("</style>\n</head>\n<body>\n");
        out.push_str(&self.body);
        out.push_str("\n<script>");
        out.push_str(BASE_SCRIPT);
        out.push_str(&self.script);
        out.push_str("</script>\n</body>\n</html>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_references() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn text_without_markup_is_unchanged() {
        let text = "正文第一段。\tTab and\nnewline, ünïcödé";
        assert_eq!(escape(text), text);
    }

    #[test]
    fn bidirectional_overrides_are_shown_not_obeyed() {
        let shown = escape("abc\u{202E}fed\u{2066}x\u{2069}");
        assert!(!shown.contains('\u{202E}') && !shown.contains('\u{2066}'));
        assert_eq!(
            shown,
            "abc<span class=\"ctl\">U+202E</span>fed<span class=\"ctl\">U+2066</span>x<span class=\"ctl\">U+2069</span>"
        );
    }

    #[test]
    fn control_characters_are_shown() {
        assert_eq!(
            escape("a\u{0}b\rc"),
            "a<span class=\"ctl\">U+0000</span>b<span class=\"ctl\">U+000D</span>c"
        );
        assert_eq!(escape_attribute("a\u{202E}\"b"), "aU+202E&quot;b");
    }

    #[test]
    fn the_page_escapes_its_title_and_holds_its_body() {
        let mut page = Page::new("</title><script>x</script>");
        page.body().push_str("<p>hello</p>");
        page.style(".x{}").script("let y = 1;");
        let html = page.finish();
        assert!(html.contains("<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>"));
        assert!(html.contains("<p>hello</p>"));
        assert!(html.contains(".x{}</style>"));
        assert!(html.contains("let y = 1;</script>"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
