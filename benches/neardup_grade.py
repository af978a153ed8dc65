#!/usr/bin/env python3
"""Grades near-duplicate removal against the exact truth of the labelled
corpus (benches/neardup_eval.sh runs it).

    benches/neardup_grade.py LABELS.jsonl PAIRS.tsv RUNS.json OUT.json

LABELS and PAIRS are benches/neardup_corpus.py's labels and
benches/neardup_truth.rs's pairs (every pair at or above its floor, with its
exact similarity). RUNS is a JSON list of tools, each
`{"tool", "setup", "threshold", "seconds": [...], "cpu_seconds": [...],
"peak_rss_kib", ...}` (setup and cpu_seconds optional) and either
`"manifest"` (a `doppel clean` manifest: removed documents are those not
written, each removal's twin is the kept document its `twin.doc` names) or
`"removed"` (a file of removed ids, one a line: a peer's output, whose twin
is taken to be the removed document's most similar kept document).

For each tool:

- removed: documents removed;
- left ≥ 0.85 / ≥ 0.9: pairs of kept documents whose true similarity is at
  least 0.85 / 0.9;
- precision: the share of removals whose twin is kept and is at least the
  tool's threshold alike (a twin below the truth's floor counts as wrong);
  the wrong ones are counted by what links the two (a planted kind, when
  one is a planted copy of the other, else `unplanted`);
- recall 1% / 3%: the share of planted copies with 1% / 3% of their
  characters edited that were found (the copy and its source not both kept);
  the same for every kind and rate in a second table;
- time: the median of the runs' wall and CPU (user + system) seconds; the
  largest peak RSS of the runs (for datatrove, of its largest process).

Prints both tables in Markdown and writes everything to OUT.json.
"""

import collections
import json
import statistics
import sys


def load(labels_path, pairs_path):
    labels = [json.loads(line) for line in open(labels_path, encoding="utf-8")]
    pairs = {}
    for line in open(pairs_path, encoding="utf-8"):
        a, b, s = line.rstrip("\n").split("\t")
        pairs[(a, b) if a < b else (b, a)] = float(s)
    return labels, pairs


def outcome(run):
    """(removed ids, {removed id: twin id or None})."""
    if "manifest" in run:
        number_to_id, removed, twin = {}, set(), {}
        twin_doc = {}
        for line in open(run["manifest"], encoding="utf-8"):
            entry = json.loads(line)
            if entry["type"] == "document":
                number_to_id[entry["doc"]] = str(entry.get("id", entry["doc"]))
                if not entry["written"]:
                    removed.add(entry["doc"])
            elif entry["type"] == "removal" and entry["reason"] == "duplicate-document":
                twin_doc[entry["doc"]] = (entry.get("twin") or {}).get("doc")
        for doc in removed:
            kept = twin_doc.get(doc)
            twin[number_to_id[doc]] = number_to_id.get(kept) if kept is not None else None
        return {number_to_id[d] for d in removed}, twin
    removed = {line.strip() for line in open(run["removed"], encoding="utf-8") if line.strip()}
    return removed, None


def relation(a, b, by_id):
    """The planted kind that links two documents (one a copy of the other),
    or `unplanted`."""
    for x, y in ((a, b), (b, a)):
        label = by_id.get(x, {})
        if label.get("kind", "original") != "original" and label.get("source") == y:
            return label["kind"] if label["kind"] != "edit" else f"edit {label['rate']:.0%}"
    return "unplanted"


def grade(run, labels, pairs, neighbours):
    by_id = {label["id"]: label for label in labels}
    wrong_by_kind = collections.Counter()
    removed, twins = outcome(run)
    threshold = run["threshold"]
    left = {0.85: 0, 0.9: 0}
    for (a, b), s in pairs.items():
        if a not in removed and b not in removed:
            for floor in left:
                if s >= floor:
                    left[floor] += 1
    right = twin_removed = 0
    for doc in removed:
        if twins is not None:
            twin = twins.get(doc)
            if twin is None or twin in removed:
                twin_removed += twin is not None
                continue
            s = pairs.get((doc, twin) if doc < twin else (twin, doc), 0.0)
        else:
            twin, s = max(((o, s) for o, s in neighbours[doc] if o not in removed), key=lambda p: p[1], default=(None, 0.0))
        right += s >= threshold
        if s < threshold:
            wrong_by_kind[relation(doc, twin, by_id) if twin is not None else "unplanted"] += 1
    found = collections.defaultdict(lambda: [0, 0])
    for label in labels:
        if label["kind"] == "original":
            continue
        key = label["kind"] if label["kind"] != "edit" else f"edit {label['rate']:.0%}"
        hit = label["id"] in removed or label["source"] in removed
        found[key][0] += hit
        found[key][1] += 1
    seconds = run.get("seconds") or []
    return {
        "tool": run["tool"],
        "setup": run.get("setup"),
        "threshold": threshold,
        "removed": len(removed),
        "left_085": left[0.85],
        "left_090": left[0.9],
        "precision": right / len(removed) if removed else 1.0,
        "wrong_removals": len(removed) - right,
        "twin_removed": twin_removed,
        "wrong_by_kind": dict(wrong_by_kind.most_common()),
        "recall": {k: v[0] / v[1] for k, v in found.items()},
        "planted": {k: v[1] for k, v in found.items()},
        "seconds_median": statistics.median(seconds) if seconds else None,
        "cpu_seconds_median": statistics.median(run["cpu_seconds"]) if run.get("cpu_seconds") else None,
        "seconds": seconds,
        "peak_rss_mib": round(run["peak_rss_kib"] / 1024) if run.get("peak_rss_kib") else None,
    }


def true_similarity_by_kind(labels, pairs):
    """Median true similarity of each kind's copies to their source."""
    by = collections.defaultdict(list)
    for label in labels:
        if label["kind"] == "original":
            continue
        key = label["kind"] if label["kind"] != "edit" else f"edit {label['rate']:.0%}"
        a, b = label["id"], label["source"]
        by[key].append(pairs.get((a, b) if a < b else (b, a), 0.0))
    return {k: statistics.median(v) for k, v in by.items()}


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        sys.exit(2)
    labels, pairs = load(sys.argv[1], sys.argv[2])
    neighbours = collections.defaultdict(list)
    for (a, b), s in pairs.items():
        neighbours[a].append((b, s))
        neighbours[b].append((a, s))
    runs = json.load(open(sys.argv[3], encoding="utf-8"))
    results = [grade(run, labels, pairs, neighbours) for run in runs]
    medians = true_similarity_by_kind(labels, pairs)
    truth = {
        "documents": len(labels),
        "pairs_085": sum(1 for s in pairs.values() if s >= 0.85),
        "pairs_090": sum(1 for s in pairs.values() if s >= 0.9),
        "median_similarity_by_kind": medians,
    }
    print(
        f"{truth['documents']:,} documents; true pairs ≥ 0.85: {truth['pairs_085']:,}, ≥ 0.9: {truth['pairs_090']:,}\n"
    )
    for run in runs:
        if run.get("setup"):
            print(f"- {run['tool']}: {run['setup']}")
    print()
    print("| tool | removed | pairs left behind ≥ 0.85 / ≥ 0.9 | precision | recall 1% / 3% edits | wall (median) | CPU (median) | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        seconds = f"{r['seconds_median']:.1f} s" if r["seconds_median"] is not None else "–"
        rss = f"{r['peak_rss_mib']:,} MiB" if r["peak_rss_mib"] is not None else "–"
        cpu = f"{r['cpu_seconds_median']:.1f} s" if r["cpu_seconds_median"] is not None else "–"
        print(
            f"| {r['tool']} | {r['removed']:,} | {r['left_085']:,} / {r['left_090']:,} | {r['precision']:.4f} "
            f"| {r['recall'].get('edit 1%', 0):.3f} / {r['recall'].get('edit 3%', 0):.3f} | {seconds} | {cpu} | {rss} |"
        )
    kinds = sorted(results[0]["planted"], key=lambda k: (k.split()[0], float(k.split()[1][:-1]) if " " in k else 0))
    print()
    print("| planted copies | count | median true similarity | " + " | ".join(r["tool"] for r in results) + " |")
    print("|---|---:|---:|" + "---:|" * len(results))
    for k in kinds:
        cells = " | ".join(f"{r['recall'][k]:.3f}" for r in results)
        median = f"{medians[k]:.3f}" if medians[k] > 0 else "below the floor"
        print(f"| {k} | {results[0]['planted'][k]:,} | {median} | {cells} |")
    print()
    print("Removals below the threshold, by what links the removed document and its twin:")
    print()
    for r in results:
        kinds = ", ".join(f"{k} {n}" for k, n in r["wrong_by_kind"].items()) or "none"
        print(f"- {r['tool']}: {kinds}")
    with open(sys.argv[4], "w", encoding="utf-8") as out:
        json.dump({"truth": truth, "results": results}, out, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
