"""Signing throughput: the Python package's ``doppel.sign`` on an Arrow batch
and on a list of ``str``, beside the command line's ``doppel sign`` of the
same records, in one sitting.

    python benches/python_sign.py benches/data/cjk-new-100M.jsonl [RUNS]

Needs the package installed (``python/test.sh`` builds it) and the release
binary at ``target/release/doppel`` (or ``$DOPPEL_BIN``). The texts are read
from the JSON Lines file once, before any timing; each variant signs all of
them RUNS times (3) and the median wall time is reported, in MB/s of UTF-8
text (MB = 10^6 bytes). The CLI's time includes reading and parsing the
file and writing the signature file, which is what a user of it pays.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pyarrow as pa

import doppel

BATCH = 8192


def read_texts(path: str) -> tuple[list[str], list[str]]:
    texts, ids = [], []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            texts.append(record["text"])
            ids.append(str(record.get("id", len(ids))))
    return texts, ids


def median_time(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    binary = os.environ.get("DOPPEL_BIN", "target/release/doppel")
    texts, ids = read_texts(path)
    size = sum(len(t.encode("utf-8")) for t in texts)
    arrow = pa.array(texts, pa.string())
    arrow_ids = pa.array(ids, pa.string())

    def sign_arrow() -> None:
        for start in range(0, len(arrow), BATCH):
            doppel.sign(arrow[start : start + BATCH], arrow_ids[start : start + BATCH])

    def sign_list() -> None:
        for start in range(0, len(texts), BATCH):
            doppel.sign(texts[start : start + BATCH], ids[start : start + BATCH])

    with tempfile.TemporaryDirectory() as out:

        def sign_cli() -> None:
            subprocess.run(
                [binary, "sign", path, "-o", out],
                check=True,
                stdout=subprocess.DEVNULL,
            )

        results = {}
        # Interleaved rounds, so a noisy moment hits every variant alike.
        samples: dict[str, list[float]] = {"cli": [], "arrow": [], "list": []}
        for _ in range(runs):
            for name, run in (("cli", sign_cli), ("arrow", sign_arrow), ("list", sign_list)):
                samples[name].append(median_time(run, 1))
        for name, times in samples.items():
            results[name] = statistics.median(times)

    mb = size / 1e6
    print(f"{path}: {len(texts)} texts, {mb:.1f} MB of UTF-8, median of {runs}")
    for name, label in (
        ("cli", "doppel sign (CLI, file in, file out)"),
        ("arrow", f"doppel.sign on pyarrow batches of {BATCH}"),
        ("list", f"doppel.sign on lists of str of {BATCH}"),
    ):
        seconds = results[name]
        print(
            f"  {label:<45} {seconds:7.2f} s  {mb / seconds:7.1f} MB/s"
            f"  ({results['cli'] / seconds:.2f} x CLI)"
        )


if __name__ == "__main__":
    main()
