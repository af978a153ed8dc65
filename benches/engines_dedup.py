"""One end-to-end deduplication of a JSON Lines file on Ray Data or PySpark
(local mode), with the wall time and the peak memory of the whole process
tree (the driver, Ray's raylet, object store and workers, or Spark's JVM
and its Python workers), printed as one JSON line.

    python benches/engines_dedup.py ray|spark FILE.jsonl WORKERS

Run by benches/engines_run.sh. The time counts from the engine's start
(``ray.init`` or ``getOrCreate``) to the count of the deduplicated dataset,
so it includes starting the engine; ``start_seconds`` says how much of it
that was. Memory is the largest sum, over samples every 0.2 s, of the
resident set sizes of the process and all its descendants (pages shared
between processes, such as Ray's object store, count once per process that
maps them: an upper bound).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and every process below it."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        pid = int(name)
        parents[pid] = int(fields.get("PPid", "0").strip() or 0)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0] or 0) * 1024
    total = 0
    for pid in rss:
        at = pid
        while at and at != root:
            at = parents.get(at, 0)
        if at == root:
            total += rss[pid]
    return total


class Peak(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, tree_rss(os.getpid()))
            time.sleep(0.2)


def run_ray(path: str, workers: int) -> tuple[int, float]:
    import ray

    import doppel.ray

    started = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    start = time.perf_counter() - started
    ds = ray.data.read_json(path)
    kept = doppel.ray.dedup(ds, text_column="text", id_column="id").count()
    ray.shutdown()
    return kept, start


def run_spark(path: str, workers: int) -> tuple[int, float]:
    from pyspark.sql import SparkSession

    import doppel.spark

    started = time.perf_counter()
    spark = (
        SparkSession.builder.master(f"local[{workers}]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "6g")
        .config("spark.sql.shuffle.partitions", str(max(2, 4 * workers)))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    start = time.perf_counter() - started
    df = spark.read.json(path)
    kept = doppel.spark.dedup(df, text_column="text", id_column="id").count()
    spark.stop()
    return kept, start


def main() -> None:
    engine, path, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, "rb") as lines:
        documents = sum(1 for _ in lines)
    peak = Peak()
    peak.start()
    begin = time.perf_counter()
    kept, start = (run_ray if engine == "ray" else run_spark)(path, workers)
    seconds = time.perf_counter() - begin
    peak.running = False
    peak.join()
    print(
        json.dumps(
            {
                "tool": engine,
                "workers": workers,
                "seconds": round(seconds, 2),
                "start_seconds": round(start, 2),
                "peak_rss_mib": round(peak.peak / 2**20),
                "documents": documents,
                "removed": documents - kept,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
