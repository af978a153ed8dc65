"""Writes the corpus of the removal-rule measurement (benches/README.md,
"Removal rule"): FAMILIES families of 1 to 6 windows of 200 made-up words
over one word stream per family, at offsets 0 to 120 words in steps of 15
(so windows of a family are chains of near duplicates: 15 words apart about
0.86 alike, 120 apart about 0.25), 30% of families with an exact copy of
their first window; records shuffled with a fixed seed.

    python3 benches/removal_rule_corpus.py FAMILIES OUT.jsonl
"""

import json
import random
import sys

rng = random.Random(7)
n_families = int(sys.argv[1]); out = sys.argv[2]
def word():
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
docs = []
for f in range(n_families):
    stream = [word() for _ in range(600)]
    members = []
    for k in range(rng.randint(1, 6)):
        off = 15 * rng.randint(0, 8)
        members.append(" ".join(stream[off:off + 200]))
    if rng.random() < 0.3:
        members.append(members[0])
    docs.extend(members)
rng.shuffle(docs)
with open(out, "w") as fh:
    for i, t in enumerate(docs):
        fh.write(json.dumps({"id": f"d{i}", "text": t}) + "\n")
print(len(docs))
