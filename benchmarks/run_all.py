"""Run every benchmark once, in sequence, and print their tables: `make bench`.

Each benchmark compares parkgeo with a named peer on the same data in the same run:
  bench_locate.py           grid locator vs geopandas.sjoin (1M random points)
  bench_locate_pipeline.py  CSV -> annotated CSV vs read_csv + points_from_xy + sjoin + to_csv
  bench_layers.py           OGC API items and vector tiles vs tipg on the same tables
  bench_maps.py             building the interactive maps (target < 1 s)
  bench_figures.py          rendering the print figures at 300 dpi A4 (target < 5 s)
The load test (wrk, two workers) is separate: `make load`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "bench_locate.py",
    "bench_locate_pipeline.py",
    "bench_layers.py",
    "bench_maps.py",
    "bench_figures.py",
]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== {name} " + "=" * (70 - len(name)), flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(HERE / name)], check=False)
        print(f"--- {name}: {time.perf_counter() - start:.0f} s, exit {result.returncode}")
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
