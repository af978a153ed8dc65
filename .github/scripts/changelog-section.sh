#!/usr/bin/env bash
# Prints the CHANGELOG.md section of one version, without its heading: the
# release notes of that version.
#
#   .github/scripts/changelog-section.sh VERSION [CHANGELOG]
#
# VERSION may carry the tag's leading `v` (v0.1.0 and 0.1.0 are the same).
# Exits 1 when the file has no `## [VERSION]` heading or the section is
# empty.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: .github/scripts/changelog-section.sh VERSION [CHANGELOG]" >&2
    exit 2
fi
version=${1#v}
file=${2:-"$(cd "$(dirname "$0")/../.." && pwd)/CHANGELOG.md"}

notes="$(awk -v heading="## [$version]" '
    index($0, "## [") == 1 { inside = (index($0, heading) == 1) ; next }
    inside && /^\[[^]]+\]: / { next }
    inside { print }
' "$file")"
# Drop the blank lines around the section.
notes="$(printf '%s\n' "$notes" | sed -e '/./,$!d')"
if [[ -z ${notes//[[:space:]]/} ]]; then
    echo "changelog-section.sh: $file has no section for $version (expected a heading '## [$version]')" >&2
    exit 1
fi
printf '%s\n' "$notes"
