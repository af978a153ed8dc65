"""datatrove's MinHash deduplication pipeline (its four stages: signatures,
buckets, clusters, filter) over one JSON Lines file, as its documentation
sets it up, with TASKS tasks on as many local workers; prints the wall time
of each stage and the documents it removed.

    python benches/datatrove_minhash.py FILE.jsonl WORKDIR [TASKS] [LANGUAGE] [REMOVED_IDS]

Run by benches/engines_run.sh in its own virtual environment (datatrove is
installed there, never by the tests). The file is split into TASKS shards
first (not timed), so that TASKS tasks have work to share; datatrove's
default configuration (5-gram word shingles, 14 buckets of 8 hashes) is
used, with the word tokenizer of LANGUAGE (datatrove's code: ``eng``, the
default, or ``zh``, spaCy with jieba, for mostly Chinese text).
"""

from __future__ import annotations

import json
import os
import sys
import time

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter


def split(path: str, folder: str, shards: int) -> None:
    os.makedirs(folder, exist_ok=True)
    outs = [open(os.path.join(folder, f"{n:03d}.jsonl"), "w", encoding="utf-8") for n in range(shards)]
    with open(path, encoding="utf-8") as lines:
        lines_list = lines.readlines()
    per = (len(lines_list) + shards - 1) // shards
    for at, line in enumerate(lines_list):
        outs[at // per].write(line)
    for out in outs:
        out.close()


def main() -> None:
    path, work = sys.argv[1], sys.argv[2]
    tasks = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    language = sys.argv[4] if len(sys.argv) > 4 else "eng"
    shards = os.path.join(work, "input")
    split(path, shards, tasks)
    config = MinhashConfig()
    sigs, buckets, clusters, out = (os.path.join(work, n) for n in ("sigs", "buckets", "clusters", "out"))
    stages = [
        (
            "signatures",
            LocalPipelineExecutor(
                pipeline=[
                    JsonlReader(shards, text_key="text", id_key="id"),
                    MinhashDedupSignature(output_folder=sigs, config=config, language=language),
                ],
                tasks=tasks,
                workers=tasks,
                logging_dir=os.path.join(work, "logs1"),
            ),
        ),
        (
            "buckets",
            LocalPipelineExecutor(
                pipeline=[MinhashDedupBuckets(input_folder=sigs, output_folder=buckets, config=config)],
                tasks=config.num_buckets,
                workers=tasks,
                logging_dir=os.path.join(work, "logs2"),
            ),
        ),
        (
            "clusters",
            LocalPipelineExecutor(
                pipeline=[MinhashDedupCluster(input_folder=buckets, output_folder=clusters, config=config)],
                tasks=1,
                logging_dir=os.path.join(work, "logs3"),
            ),
        ),
        (
            "filter",
            LocalPipelineExecutor(
                pipeline=[
                    JsonlReader(shards, text_key="text", id_key="id"),
                    MinhashDedupFilter(input_folder=clusters),
                    JsonlWriter(out),
                ],
                tasks=tasks,
                workers=tasks,
                logging_dir=os.path.join(work, "logs4"),
            ),
        ),
    ]
    total = 0.0
    for name, executor in stages:
        start = time.perf_counter()
        executor.run()
        took = time.perf_counter() - start
        total += took
        print(f"datatrove {name}: {took:.2f} s", flush=True)
    kept = 0
    kept_ids = set()
    for name in os.listdir(out):
        opener = open
        if name.endswith(".gz"):
            import gzip

            opener = gzip.open
        with opener(os.path.join(out, name), "rt", encoding="utf-8") as lines:
            for line in lines:
                kept += 1
                kept_ids.add(str(json.loads(line)["id"]))
    with open(path, encoding="utf-8") as lines:
        ids = [str(json.loads(line)["id"]) for line in lines]
    documents = len(ids)
    if len(sys.argv) > 5:
        with open(sys.argv[5], "w", encoding="utf-8") as removed:
            removed.writelines(f"{i}\n" for i in ids if i not in kept_ids)
    print(json.dumps({"tool": "datatrove", "seconds": round(total, 2), "documents": documents, "removed": documents - kept}))


if __name__ == "__main__":
    main()
