"""Benchmark the real spreadsheet path (``boundaries.tables``) against plain GeoPandas.

Run: ``.venv/bin/python benchmarks/bench_locate_pipeline.py [--n 1000000] [--seed 42]``

Same N-row CSV (id, name, lon, lat; random points over the parks' extent) for both, in the
same run:
- ours: ``read_table`` → ``locate_table`` (park, section, signed distance to the nearest edge,
  near_edge, warnings, names) → ``write_table`` (CSV, UTF-8 with BOM), bytes to disk;
- GeoPandas: ``read_csv`` → ``points_from_xy`` → ``sjoin`` parks and sections → ``to_csv``
  (park and section only: no distances, no warnings).
The park/section columns are asserted identical. Our index is built before timing (the
service builds it once per process); its build time is printed separately.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
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


def ours(src: Path, dst: Path, index: LocatingIndex) -> None:
    table = read_table(src.read_bytes(), src.name)
    located = locate_table(table, index)
    dst.write_bytes(write_table(table, located))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="rows in the CSV")
    ap.add_argument("--seed", type=int, default=42)
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
        t0 = time.perf_counter()
        ours(src, mine, index)
        t_first = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours(src, mine, index)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        geopandas_csv_pipeline(src, theirs, parks, sections)
        t_gpd = time.perf_counter() - t0
        a = pd.read_csv(mine, usecols=["park", "section"], encoding="utf-8-sig")
        b = pd.read_csv(theirs, usecols=["park", "section"])
        same = a.equals(b)
        extra = pd.read_csv(mine, usecols=["distance_m", "warning"], encoding="utf-8-sig")

    print(f"N = {args.n:,} rows; {len(parks)} parks, {len(sections)} sections (bundled)")
    print("CSV -> annotated CSV                                     seconds   ratio")
    print(f"  index build (once per process)                        {t_build:7.2f}")
    print(f"  ours, first file (index cells built lazily)           {t_first:7.2f}")
    print(f"  ours, warm (boundaries.tables, + distances, warnings) {t_ours:7.2f}    1.0x")
    print(
        f"  GeoPandas (read_csv, points_from_xy, 2x sjoin, to_csv){t_gpd:7.2f}  "
        f"{t_gpd / t_ours:5.1f}x slower (first file: {t_gpd / t_first:.1f}x)"
    )
    print(f"  identical park/section columns: {same}")
    print(f"  rows with a distance: {extra['distance_m'].notna().sum():,}")
    assert same, "park/section columns differ"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
