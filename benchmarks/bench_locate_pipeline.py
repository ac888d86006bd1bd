"""Benchmark the real spreadsheet path (``boundaries.tables``) against plain GeoPandas.

Run: ``.venv/bin/python benchmarks/bench_locate_pipeline.py [--n 1000000] [--repeat 3]``

Same N-row CSV (id, name, lon, lat; random points over the parks' extent) for both, in the
same run:
- ours: ``read_table`` → ``locate_table`` (park, section, signed distance to the nearest edge,
  near_edge, warnings, names) → ``write_table`` (CSV, UTF-8 with BOM), bytes to disk;
- GeoPandas: ``read_csv`` → ``points_from_xy`` → ``sjoin`` parks and sections → ``to_csv``
  (park and section only: no distances, no warnings).
The park/section columns are asserted identical. Our index is built before timing (the
service builds it once per process); its build time is printed separately. The two pipelines
run alternately ``--repeat`` times and the medians are compared (other work on the machine
moves single runs by ±30 %); our run is also split into its stages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_locate import geopandas_csv_pipeline  # noqa: E402

from boundaries.frames import bundled_frames  # noqa: E402
from boundaries.locating import LocatingIndex  # noqa: E402
from boundaries.tables import locate_table, read_table, write_table  # noqa: E402


def ours(src: Path, dst: Path, index: LocatingIndex, stages: dict[str, list[float]]) -> None:
    """The CLI's path, bytes to bytes, each stage timed into ``stages``."""
    t0 = time.perf_counter()
    table = read_table(src.read_bytes(), src.name)
    t1 = time.perf_counter()
    located = locate_table(table, index)
    t2 = time.perf_counter()
    dst.write_bytes(write_table(table, located))
    t3 = time.perf_counter()
    for name, seconds in (("read", t1 - t0), ("locate", t2 - t1), ("write", t3 - t2)):
        stages.setdefault(name, []).append(seconds)


def _timed(run: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="rows in the CSV")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each pipeline (medians)")
    args = ap.parse_args(argv)

    data = bundled_frames()
    t0 = time.perf_counter()
    index = LocatingIndex.from_frames(data)
    t_build = time.perf_counter() - t0
    west, south, east, north = index.bounds
    rng = np.random.default_rng(args.seed)
    lon = rng.uniform(west, east, args.n).round(7)
    lat = rng.uniform(south, north, args.n).round(7)
    parks, sections = data.parks, data.sections

    with tempfile.TemporaryDirectory(prefix="parkgeo-bench-") as tmp:
        src = Path(tmp) / "points.csv"
        ids = np.arange(args.n)
        pd.DataFrame({"id": ids, "name": [f"企业{i}" for i in ids], "lon": lon, "lat": lat}).to_csv(
            src, index=False
        )
        mine, theirs = Path(tmp) / "ours.csv", Path(tmp) / "theirs.csv"
        stages: dict[str, list[float]] = {}
        t_first = _timed(lambda: ours(src, mine, index, {}))
        t_ours, t_gpd = [], []
        for _ in range(max(1, args.repeat)):
            t_ours.append(_timed(lambda: ours(src, mine, index, stages)))
            t_gpd.append(_timed(lambda: geopandas_csv_pipeline(src, theirs, parks, sections)))
        a = pd.read_csv(mine, usecols=["park", "section"], encoding="utf-8-sig")
        b = pd.read_csv(theirs, usecols=["park", "section"])
        same = a.equals(b)
        extra = pd.read_csv(mine, usecols=["distance_m", "warning"], encoding="utf-8-sig")

    med_ours, med_gpd = statistics.median(t_ours), statistics.median(t_gpd)
    print(f"N = {args.n:,} rows; {len(parks)} parks, {len(sections)} sections (bundled)")
    print(f"medians of {len(t_ours)} alternating runs (every run in brackets)")
    print("CSV -> annotated CSV                                     seconds   ratio")
    print(f"  index build (once per process)                        {t_build:7.2f}")
    print(f"  ours, first file (index cells built lazily)           {t_first:7.2f}")
    print(
        f"  ours, warm (boundaries.tables, + distances, warnings) {med_ours:7.2f}    1.0x"
        f"  [{_listing(t_ours)}]"
    )
    print("    stages: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in stages.items()))
    print(
        f"  GeoPandas (read_csv, points_from_xy, 2x sjoin, to_csv){med_gpd:7.2f}  "
        f"{med_gpd / med_ours:5.1f}x slower  [{_listing(t_gpd)}]"
    )
    print(f"  first file vs GeoPandas: {med_gpd / t_first:.1f}x")
    print(f"  identical park/section columns: {same}")
    print(f"  rows with a distance: {extra['distance_m'].notna().sum():,}")
    assert same, "park/section columns differ"
    return 0


def _listing(seconds: list[float]) -> str:
    return " ".join(f"{s:.2f}" for s in seconds)


if __name__ == "__main__":
    raise SystemExit(main())
