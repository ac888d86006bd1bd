"""Benchmark the park locator against GeoPandas on the same points.

Run: ``.venv/bin/python benchmarks/bench_locate.py [--n 1000000] [--seed 42]``

Part 1: N seeded random points over the parks' extent; ``geo.locate.ParkLocator`` versus
``geopandas.sjoin(predicate="intersects")`` (boundary points count as inside in both), answers
asserted identical (park and section per point; where polygons overlap, the first row wins in
both). Part 2: the whole CSV → annotated CSV path, ours versus a plain GeoPandas pipeline
(read_csv, points_from_xy, sjoin, to_csv) on the same N-row CSV in a temp dir.

Geometry: the bundled boundaries/data/geometry/{parks,sections}.geojson when present, else
synthetic polygons of similar size around 113.3E 33.7N.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.locate import ParkLocator  # noqa: E402

GEOMETRY_DIR = ROOT / "boundaries" / "data" / "geometry"
PARKS_YAML = ROOT / "boundaries" / "data" / "parks.yaml"


def _timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- data ---------------------------------------------------------------------------------


def _section_parks(sections: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> list[str]:
    """Park code of each section: parks.yaml if readable, else the park that covers it most."""
    if "park" in sections.columns:
        return [str(p) for p in sections["park"]]
    mapping: dict[str, str] = {}
    if PARKS_YAML.exists():
        try:
            import yaml

            doc = yaml.safe_load(PARKS_YAML.read_text(encoding="utf-8")) or {}
            mapping = {str(s["code"]): str(s["park"]) for s in doc.get("sections", [])}
        except Exception as exc:  # the register is another module's; fall back quietly
            print(f"(parks.yaml unreadable: {exc}; matching sections to parks by overlap)")
    out = []
    for code, geom in zip(sections["code"], sections.geometry, strict=True):
        if code in mapping:
            out.append(mapping[code])
        else:
            overlap = parks.geometry.intersection(geom).area
            out.append(str(parks["code"].iloc[int(np.argmax(overlap.to_numpy()))]))
    return out


def _blob(cx: float, cy: float, r: float, seed: int, n: int = 300) -> Polygon:
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rad = r * (1 + 0.3 * np.sin(3 * t + seed) + 0.05 * rng.random(n))
    return Polygon(np.column_stack([cx + rad * np.cos(t) / 0.83, cy + rad * np.sin(t)]))


def _synthetic() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Seven parks of ~5-30 km² spread over ~50 km × 35 km; one park with 4 sections."""
    centres = [(113.30, 33.70), (113.42, 33.78), (112.95, 33.85), (113.10, 33.65), (113.38, 33.62)]
    centres += [(113.20, 33.88), (113.05, 33.78)]
    parks, codes = [], []
    for i, (cx, cy) in enumerate(centres):
        parks.append(_blob(cx, cy, 0.012 + 0.004 * (i % 3), seed=i))
        codes.append(f"park{i}")
    sec_geoms, sec_codes = [], []
    for j in range(4):
        sec_geoms.append(_blob(113.05 + 0.03 * (j - 1.5), 33.78, 0.007, seed=10 + j))
        sec_codes.append(f"park6-s{j}")
    parks[6] = shapely.union_all(sec_geoms)
    parks_gdf = gpd.GeoDataFrame({"code": codes}, geometry=parks, crs=4490)
    sections_gdf = gpd.GeoDataFrame(
        {"code": sec_codes, "park": ["park6"] * 4}, geometry=sec_geoms, crs=4490
    )
    return parks_gdf, sections_gdf


def load_geometry(synthetic: bool = False) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str]:
    parks_path, sections_path = GEOMETRY_DIR / "parks.geojson", GEOMETRY_DIR / "sections.geojson"
    if parks_path.exists() and not synthetic:
        parks = gpd.read_file(parks_path).to_crs(4490)
        if sections_path.exists():
            sections = gpd.read_file(sections_path).to_crs(4490)
            sections["park"] = _section_parks(sections, parks)
        else:
            sections = gpd.GeoDataFrame({"code": [], "park": []}, geometry=[], crs=4490)
        return parks, sections, f"bundled ({parks_path.relative_to(ROOT)})"
    parks, sections = _synthetic()
    return parks, sections, "synthetic"


# --- the two contenders -------------------------------------------------------------------


def _first_match(n: int, joined: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
    """Code of the lowest-index polygon per point (sjoin returns every match)."""
    out = np.full(n, None, dtype=object)
    hit = joined["index_right"].dropna()
    if len(hit):
        first = hit.astype(np.int64).groupby(level=0).min()
        out[first.index.to_numpy()] = codes[first.to_numpy()]
    return out


def sjoin_lookup(
    lon: np.ndarray, lat: np.ndarray, parks: gpd.GeoDataFrame, sections: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4490)
    jp = gpd.sjoin(points, parks[["geometry"]], how="left", predicate="intersects")
    js = gpd.sjoin(points, sections[["geometry"]], how="left", predicate="intersects")
    park = _first_match(len(points), jp, parks["code"].to_numpy(dtype=object))
    section = _first_match(len(points), js, sections["code"].to_numpy(dtype=object))
    return park, section


def _read_csv(source: Path | io.BytesIO, **kwargs: Any) -> pd.DataFrame:
    if _has_pyarrow():
        return pd.read_csv(source, engine="pyarrow", **kwargs)
    return pd.read_csv(source, **kwargs)


def our_csv_pipeline(src: Path, dst: Path, locator: ParkLocator) -> None:
    """Append park,section to each input line, leaving the user's bytes untouched.

    Only lon/lat are parsed; the other columns and the coordinates' own text are copied
    as they are (no float re-formatting: that is both the slow part of to_csv and a way to
    alter the user's numbers). A file with quoted line breaks falls back to pandas.
    """
    raw = src.read_bytes()
    coords = _read_csv(io.BytesIO(raw), usecols=["lon", "lat"])
    result = locator.locate(coords["lon"].to_numpy(float), coords["lat"].to_numpy(float))
    newline = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    lines = raw.split(newline)
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) - 1 != len(coords):  # quoted newlines: rows are not lines
        df = _read_csv(io.BytesIO(raw))
        df["park"], df["section"] = result.park, result.section
        df.to_csv(dst, index=False)
        return
    park = pd.Series(result.park, dtype=object).fillna("")
    section = pd.Series(result.section, dtype=object).fillna("")
    codes, uniques = pd.factorize("," + park + "," + section)
    suffixes = np.array([u.encode("utf-8") for u in uniques], dtype=object)[codes]
    body = newline.join(map(bytes.__add__, lines[1:], suffixes))
    dst.write_bytes(lines[0] + b",park,section" + newline + body + newline)


def geopandas_csv_pipeline(
    src: Path, dst: Path, parks: gpd.GeoDataFrame, sections: gpd.GeoDataFrame
) -> None:
    df = pd.read_csv(src)
    points = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4490)
    p = parks[["code", "geometry"]].rename(columns={"code": "park"})
    s = sections[["code", "geometry"]].rename(columns={"code": "section"})
    joined = gpd.sjoin(points, p, how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")].drop(columns="index_right")
    joined = gpd.sjoin(joined, s, how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")].drop(columns="index_right")
    pd.DataFrame(joined.drop(columns="geometry")).to_csv(dst, index=False)


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="number of random points")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--skip-csv", action="store_true", help="only part 1")
    ap.add_argument("--synthetic", action="store_true", help="ignore the bundled geometry")
    args = ap.parse_args(argv)

    parks, sections, source = load_geometry(args.synthetic)
    t_build, locator = _timed(lambda: ParkLocator.from_frames(parks, sections))
    west, south, east, north = locator.bounds
    rng = np.random.default_rng(args.seed)
    lon = rng.uniform(west, east, args.n)
    lat = rng.uniform(south, north, args.n)
    n_vertices = int(shapely.get_num_coordinates(parks.geometry.values).sum())
    print(
        f"geometry: {source}: {len(parks)} parks, {len(sections)} sections, {n_vertices} vertices"
    )
    print(f"extent: {west:.4f}..{east:.4f}E {south:.4f}..{north:.4f}N; N = {args.n:,}")

    t_ours, ours = _timed(lambda: locator.locate(lon, lat), repeat=3)
    t_sjoin, (park_ref, section_ref) = _timed(lambda: sjoin_lookup(lon, lat, parks, sections))
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4490)
    t_sjoin_only, _ = _timed(
        lambda: (
            gpd.sjoin(points, parks[["geometry"]], how="left", predicate="intersects"),
            gpd.sjoin(points, sections[["geometry"]], how="left", predicate="intersects"),
        )
    )
    same_park = bool((ours.park == park_ref).all())
    same_section = bool((ours.section == section_ref).all())
    assert same_park and same_section, "locator and sjoin disagree"
    t_dist, _ = _timed(lambda: locator.locate(lon, lat, distances=True))
    inside = float(ours.inside.mean())
    rss1 = _max_rss_mb()

    print()
    print("part 1: point lookup (park + section)      seconds   vs ours")
    print(f"  ParkLocator build                        {t_build:8.3f}")
    print(f"  ParkLocator.locate (best of 3)           {t_ours:8.3f}     1.0x")
    print(f"  GeoPandas points_from_xy + 2x sjoin      {t_sjoin:8.3f}  {t_sjoin / t_ours:7.1f}x")
    print(
        f"  GeoPandas 2x sjoin only (points prebuilt){t_sjoin_only:8.3f}  "
        f"{t_sjoin_only / t_ours:7.1f}x"
    )
    print(f"  ParkLocator.locate with distances        {t_dist:8.3f}")
    print(
        f"  identical answers: park {same_park}, section {same_section}; "
        f"{inside:.1%} of points inside a park"
    )
    print(f"  peak RSS so far: {rss1:.0f} MB")

    if args.skip_csv:
        return 0
    with tempfile.TemporaryDirectory(prefix="parkgeo-bench-") as tmp:
        src = Path(tmp) / "points.csv"
        ids = np.arange(args.n)
        pd.DataFrame(
            {"id": ids, "name": [f"企业{i}" for i in ids], "lon": lon.round(7), "lat": lat.round(7)}
        ).to_csv(src, index=False)
        ours_csv, theirs_csv = Path(tmp) / "ours.csv", Path(tmp) / "theirs.csv"
        t_ours_csv, _ = _timed(lambda: our_csv_pipeline(src, ours_csv, locator))
        t_gpd_csv, _ = _timed(lambda: geopandas_csv_pipeline(src, theirs_csv, parks, sections))
        a = pd.read_csv(ours_csv, usecols=["park", "section"])
        b = pd.read_csv(theirs_csv, usecols=["park", "section"])
        same_csv = a.equals(b)
        reader = "pyarrow" if _has_pyarrow() else "C"
        print()
        print("part 2: CSV -> annotated CSV                            seconds   vs ours")
        print(f"  ours (lon/lat via {reader:7s} reader, locate, append) {t_ours_csv:6.2f}     1.0x")
        print(
            f"  GeoPandas (read_csv, points_from_xy, sjoin x2, to_csv) {t_gpd_csv:6.2f}  "
            f"{t_gpd_csv / t_ours_csv:7.1f}x"
        )
        print(f"  identical park/section columns: {same_csv}")
        print(f"  peak RSS: {_max_rss_mb():.0f} MB")
        assert same_csv, "CSV outputs disagree"
    return 0


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
