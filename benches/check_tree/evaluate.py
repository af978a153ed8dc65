#!/usr/bin/env python3
"""Counts the planted copies a tool found.

usage: evaluate.py planted.jsonl doppel|jscpd REPORT [THRESHOLD]

A planted copy is found when one reported duplicate has a copy overlapping
the source's lines in the source file and another overlapping the copy's
lines in the target file. doppel's report is its SARIF output; jscpd's is
jscpd-report.json.
"""

import json
import re
import sys


def overlaps(a, b):
    return a[0] <= b[1] and b[0] <= a[1]


def doppel_groups(path):
    with open(path, encoding="utf-8") as f:
        log = json.load(f)
    for result in log["runs"][0]["results"]:
        locations = result["locations"] + result.get("relatedLocations", [])
        group = []
        for location in locations:
            physical = location["physicalLocation"]
            region = physical["region"]
            group.append((physical["artifactLocation"]["uri"], (region["startLine"], region["endLine"])))
        yield group


def jscpd_groups(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    for dup in report.get("duplicates", []):
        group = []
        for side in ("firstFile", "secondFile"):
            # jscpd names a file "path:format"; drop a leading "./" too.
            name = re.sub(r":[A-Za-z0-9_+-]+$", "", dup[side]["name"])
            name = name[2:] if name.startswith("./") else name
            group.append((name, (dup[side]["start"], dup[side]["end"])))
        yield group


def main():
    planted = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
    tool, report = sys.argv[2], sys.argv[3]
    threshold = float(sys.argv[4]) if len(sys.argv) > 4 else 0.8
    groups = list(doppel_groups(report) if tool == "doppel" else jscpd_groups(report))
    by_file = {}
    for n, group in enumerate(groups):
        for name, lines in group:
            by_file.setdefault(name, []).append((n, lines))

    def hits(place):
        return {n for n, lines in by_file.get(place["path"], []) if overlaps(lines, place["lines"])}

    counts = {"exact": [0, 0], "near>=t": [0, 0], "near<t": [0, 0]}
    for p in planted:
        kind = "exact" if p["edits"] == 0 else ("near>=t" if p["similarity"] >= threshold else "near<t")
        counts[kind][1] += 1
        if hits(p["source"]) & hits(p["copy"]):
            counts[kind][0] += 1
    above = counts["exact"][0] + counts["near>=t"][0], counts["exact"][1] + counts["near>=t"][1]
    print(json.dumps({"tool": tool, "reported": len(groups), "found_above_threshold": above[0],
                      "planted_above_threshold": above[1],
                      **{k: f"{v[0]}/{v[1]}" for k, v in counts.items()}}))


if __name__ == "__main__":
    main()
