//! The restore target's input: a manifest, then changes to the cleaned
//! folder.
//!
//! ```text
//! MANIFEST [ \0 CHANGE ]*
//! CHANGE = NAME \n CONTENT      a cleaned file's new content
//!        | @NAME \n TARGET      a symlink in place of NAME
//! ```
//!
//! NAME is relative to the cleaned folder, without `..` (changes that are
//! not are ignored). Every other file of the baseline's cleaned folder is
//! kept. Before the manifest is written, every `output` path in it is made
//! harmless to the machine, keeping it as hostile to `restore` as it was:
//! an absolute path is moved under the sandbox's `TOP` and a path keeps at
//! most [`MAX_PARENTS`](crate::MAX_PARENTS) `..`. A symlink's absolute
//! target is moved under `root`; a relative target with `..` is ignored.
//! Lines that `serde_json` cannot read as an object but might name a path
//! are dropped.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::members::Members;
use crate::{is_plain_relative, limit_parents, Node, Sandbox, Tree};

/// A fuzz input, split.
pub struct RestoreInput<'a> {
    pub manifest: &'a [u8],
    pub changes: Vec<(PathBuf, Node)>,
}

impl<'a> RestoreInput<'a> {
    pub fn parse(data: &'a [u8]) -> RestoreInput<'a> {
        let mut parts = data.split(|&b| b == 0);
        let manifest = parts.next().unwrap_or_default();
        let changes = parts.filter_map(change).collect();
        RestoreInput { manifest, changes }
    }

    /// The cleaned folder to restore from: `cleaned` with the changes made,
    /// symlink targets confined to `sandbox`.
    pub fn cleaned_tree(&self, cleaned: &Tree, sandbox: &Sandbox) -> Tree {
        let mut tree = cleaned.clone();
        for (name, node) in &self.changes {
            // Whatever was at the name, or below it, is replaced.
            tree.retain(|path, _| !path.starts_with(name));
            for ancestor in name.ancestors().skip(1) {
                if !ancestor.as_os_str().is_empty() {
                    if let Some(Node::File(_) | Node::Link(_)) = tree.get(ancestor) {
                        tree.remove(ancestor);
                    }
                }
            }
            let node = match node {
                Node::Link(target) if target.is_absolute() => Node::Link(
                    sandbox
                        .root()
                        .join(target.strip_prefix("/").unwrap_or(target)),
                ),
                other => other.clone(),
            };
            tree.insert(name.clone(), node);
        }
        tree.insert(
            PathBuf::from("manifest.jsonl"),
            Node::File(confine_manifest(self.manifest, sandbox)),
        );
        tree
    }
}

fn change(part: &[u8]) -> Option<(PathBuf, Node)> {
    let newline = part.iter().position(|&b| b == b'\n')?;
    let (name, content) = (&part[..newline], &part[newline + 1..]);
    let (link, name) = match name.strip_prefix(b"@") {
        Some(name) => (true, name),
        None => (false, name),
    };
    let name = PathBuf::from(std::str::from_utf8(name).ok()?);
    if !is_plain_relative(&name) || name == Path::new("manifest.jsonl") {
        return None;
    }
    if !link {
        return Some((name, Node::File(content.to_vec())));
    }
    let target = PathBuf::from(std::str::from_utf8(content).ok()?);
    if !target.is_absolute() && !is_plain_relative(&target) {
        return None;
    }
    Some((name, Node::Link(target)))
}

/// The manifest with its paths made harmless to the machine.
pub fn confine_manifest(manifest: &[u8], sandbox: &Sandbox) -> Vec<u8> {
    let mut out = Vec::with_capacity(manifest.len() + 64);
    for (at, line) in manifest.split(|&b| b == b'\n').enumerate() {
        if at > 0 {
            out.push(b'\n');
        }
        match confine_line(line, sandbox) {
            Some(Some(rewritten)) => out.extend_from_slice(rewritten.as_bytes()),
            Some(None) => out.extend_from_slice(line),
            None => {}
        }
    }
    out
}

/// `Some(None)`: the line is safe as it is; `Some(Some(line))`: rewritten;
/// `None`: dropped.
fn confine_line(line: &[u8], sandbox: &Sandbox) -> Option<Option<String>> {
    let Ok(Members(mut members)) = serde_json::from_slice::<Members>(line) else {
        let suspicious =
            line.windows(6).any(|w| w == b"output") || line.windows(2).any(|w| w == b"\\u");
        return if suspicious { None } else { Some(None) };
    };
    let mut changed = false;
    for (key, value) in &mut members {
        if key != "output" {
            continue;
        }
        let Value::String(path) = value else {
            continue;
        };
        let mut safe = if path.starts_with('/') {
            sandbox.confine_absolute(path)
        } else {
            path.clone()
        };
        safe = limit_parents(&safe);
        if safe != *path {
            *path = safe;
            changed = true;
        }
    }
    if !changed {
        return Some(None);
    }
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), v))
        .collect();
    Some(Some(format!("{{{}}}", body.join(","))))
}
