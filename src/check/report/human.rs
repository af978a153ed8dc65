//! The human report: one block per finding, then the verdict.
//!
//! ```text
//! docs/b.md:3-5  exact  new  212 letters
//!     To install the tool, download the archive for your platform…
//!     also at docs/a.md:1-3
//! doppel check: policy fails: 1 exact duplicate(s) (fail-on exact)
//! ```

use std::io::{self, Write};

use crate::check::{Finding, Verdict};

/// Writes one line per finding, each fixed baseline entry, and the verdict.
pub fn write(verdict: &Verdict, out: &mut dyn Write) -> io::Result<()> {
    for finding in &verdict.findings {
        write_finding(verdict, finding, out)?;
    }
    for entry in &verdict.fixed {
        writeln!(
            out,
            "fixed: {} (fingerprint {}, {} copy/copies fewer)",
            entry.path, entry.fingerprint, entry.count
        )?;
    }
    writeln!(out, "{}", verdict.headline())?;
    out.flush()
}

fn write_finding(verdict: &Verdict, finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let mut tags = vec![finding.kind.as_str().to_owned()];
    if finding.kind == crate::check::Kind::Near {
        tags.push(format!("similarity {:.2}", finding.similarity));
    }
    if verdict.baselined {
        tags.push(if finding.new { "new" } else { "baselined" }.to_owned());
    }
    if finding.fails {
        tags.push("FAILS".to_owned());
    }
    writeln!(
        out,
        "{}  {}  {} letters",
        finding.primary().label(),
        tags.join("  "),
        finding.letters
    )?;
    writeln!(out, "    {}", finding.primary().preview)?;
    for other in finding.others() {
        writeln!(out, "    also at {}", other.label())?;
    }
    Ok(())
}
