"""Build the bundled schematic park geometry from ``scripts/schematic_anchors.yaml``.

The approved survey boundaries are not public, so the project ships schematic shapes: each
is placed at the park's real location, shaped loosely by its 四至 and scaled about its
centroid until its GRS80 ellipsoidal area equals the declared area. The output is
reproducible: the same anchors give byte-identical GeoJSON.

Writes ``boundaries/data/geometry/parks.geojson`` and ``sections.geojson``. When the
reference county outlines are available (``--reference``, default ``../shared/reference``)
it also checks that each shape lies inside its county; the build does not need them.

Usage: ``.venv/bin/python scripts/make_schematic.py [--reference DIR] [--no-check]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import math
import sys
from pathlib import Path

import numpy as np
import shapely
import yaml
from pyproj import CRS, Geod, Transformer
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

log = logging.getLogger("make_schematic")

ROOT = Path(__file__).resolve().parents[1]
ANCHORS = ROOT / "scripts" / "schematic_anchors.yaml"
REGISTER = ROOT / "boundaries" / "data" / "parks.yaml"
OUT_DIR = ROOT / "boundaries" / "data" / "geometry"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference"
COUNTY_FILE = "pingdingshan_counties_gcj02.geojson"

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid
DECIMALS = 7  # ~1 cm; areas must survive the rounding
FIT_RTOL = 1e-10  # scaling target before rounding
NUDGE, NUDGE_STEPS = 1e-7, 200  # factor search that absorbs the rounding
MAX_SEGMENT_DEG = 0.0005  # ~50 m: densified outlines round with a smaller area error
AREA_RTOL = 1e-5  # what the written files must meet
SUPERELLIPSE_VERTICES = 180
CRS_MEMBER = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}
PROVENANCE = (
    "Schematic outline, not the approved survey boundary: placed at the park's real location "
    "from public references (county seats, county outlines, roads and rivers named in the "
    "四至), shaped loosely by the 四至 and scaled to the declared area. "
    "Anchors: scripts/schematic_anchors.yaml."
)


def area_km2(geom: BaseGeometry) -> float:
    """Ellipsoidal (GRS80) area in km², orientation-independent."""
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def superellipse(spec: dict, target_km2: float) -> Polygon:
    """A rotated superellipse around ``spec['centre']``, drawn in a local metric frame.

    Sized from the closed-form area so that the later scaling is only a fine adjustment.
    """
    lon0, lat0 = spec["centre"]
    n = float(spec["exponent"])
    aspect = float(spec["aspect"])
    # Area of |x/a|^n + |y/b|^n <= 1 is 4ab * Gamma(1+1/n)^2 / Gamma(1+2/n).
    unit = 4 * math.gamma(1 + 1 / n) ** 2 / math.gamma(1 + 2 / n)
    b = math.sqrt(target_km2 * 1e6 / (unit * aspect))
    a = aspect * b
    t = np.linspace(0, 2 * np.pi, SUPERELLIPSE_VERTICES, endpoint=False)
    x = a * np.sign(np.cos(t)) * np.abs(np.cos(t)) ** (2 / n)
    y = b * np.sign(np.sin(t)) * np.abs(np.sin(t)) ** (2 / n)
    rot = math.radians(float(spec.get("rotation_deg", 0)))
    xr = x * math.cos(rot) - y * math.sin(rot)
    yr = x * math.sin(rot) + y * math.cos(rot)
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +ellps=GRS80 +units=m")
    to_lonlat = Transformer.from_crs(local, "EPSG:4490", always_xy=True)
    lon, lat = to_lonlat.transform(xr, yr)
    return Polygon(zip(lon, lat, strict=True))


def base_shape(code: str, spec: dict, target_km2: float) -> Polygon:
    """The unscaled shape an anchor entry describes."""
    kind = spec["kind"]
    if kind == "outline":
        return shapely.segmentize(Polygon(spec["outline"]), MAX_SEGMENT_DEG)
    if kind == "superellipse":
        return superellipse(spec, target_km2)
    # kind "sections" (a park made of its 组团) is assembled in build().
    raise ValueError(f"{code}: unknown shape kind {kind!r} (expected outline or superellipse)")


def _round(geom: Polygon) -> Polygon:
    return shapely.transform(orient(geom, 1.0), lambda xy: np.round(xy, DECIMALS))


def fit_area(code: str, geom: Polygon, target_km2: float) -> Polygon:
    """Scale ``geom`` about its centroid until its GRS80 area is ``target_km2``, then round.

    Rounding to DECIMALS shifts the area by up to a few 1e-6; among factors within
    ±NUDGE_STEPS * NUDGE of the exact one, the rounded shape closest to the target is kept.
    Raises ``ValueError`` if that shape is invalid or still misses by more than AREA_RTOL.
    """
    origin = geom.centroid
    factor = 1.0
    for _ in range(50):
        ratio = target_km2 / area_km2(affinity.scale(geom, factor, factor, origin=origin))
        if abs(ratio - 1) < FIT_RTOL:
            break
        factor *= math.sqrt(ratio)

    def rounded_miss(f: float) -> tuple[float, Polygon]:
        candidate = _round(affinity.scale(geom, f, f, origin=origin))
        return area_km2(candidate) / target_km2 - 1, candidate

    steps = range(-NUDGE_STEPS, NUDGE_STEPS + 1)
    error, rounded = min(
        (rounded_miss(factor * (1 + k * NUDGE)) for k in steps), key=lambda r: abs(r[0])
    )
    if not rounded.is_valid or abs(error) > AREA_RTOL:
        raise ValueError(f"{code}: area error {error:.2e} or invalid after rounding")
    log.info("%-22s scale %.4f  area %.6f km² (rel. error %+.1e)", code, factor,
             area_km2(rounded), error)  # fmt: skip
    return rounded


def build(anchors: dict, register: dict) -> tuple[dict[str, BaseGeometry], dict[str, Polygon]]:
    """Park and section geometries by code, each at its declared (or assumed) area."""
    split = {code: float(km2) for code, km2 in anchors["section_area_km2"].items()}
    sections = {
        code: fit_area(code, base_shape(code, spec, split[code]), split[code])
        for code, spec in anchors["sections"].items()
    }
    parks: dict[str, BaseGeometry] = {}
    for park in register["parks"]:
        code, declared = park["code"], float(park["declared_area_km2"])
        spec = anchors["parks"][code]
        if spec["kind"] != "sections":
            parks[code] = fit_area(code, base_shape(code, spec, declared), declared)
            continue
        own = [s["code"] for s in register["sections"] if s["park"] == code]
        if abs(sum(split[c] for c in own) - declared) > 1e-9:
            raise ValueError(f"{code}: section split does not sum to the declared {declared}")
        parks[code] = MultiPolygon([sections[c] for c in own])
    return parks, sections


def check_layout(parks: dict[str, BaseGeometry], sections: dict[str, Polygon]) -> None:
    """Refuse to write overlapping or invalid shapes; a schematic must still be coherent."""
    problems = []
    everything = {**parks, **sections}
    for code, geom in everything.items():
        if not geom.is_valid:
            problems.append(f"{code}: invalid ({shapely.is_valid_reason(geom)})")
    for group in (parks, sections):
        for (a, ga), (b, gb) in itertools.combinations(group.items(), 2):
            if ga.intersection(gb).area > 0:
                problems.append(f"{a} overlaps {b}")
    if problems:
        raise SystemExit("layout check failed:\n  " + "\n  ".join(problems))


def feature_collection(shapes: dict[str, BaseGeometry], specs: dict[str, dict], date: str) -> str:
    """GeoJSON text, one feature per line, with a legacy ``crs`` member naming EPSG:4490."""
    features = [
        json.dumps(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "geometry_source": "schematic",
                    "provenance": PROVENANCE,
                    "provenance_date": date,
                    "precision_m": specs[code]["precision_m"],
                },
                "geometry": mapping(geom),
            },
            ensure_ascii=False,
        )
        for code, geom in shapes.items()
    ]
    head = json.dumps({"type": "FeatureCollection", "crs": CRS_MEMBER})[:-1]
    return head + ', "features": [\n' + ",\n".join(features) + "\n]}\n"


def county_check(
    shapes: dict[str, BaseGeometry], specs: dict[str, dict], reference: Path
) -> list[str]:
    """Check each shape lies inside its county outline(s); returns the failures.

    The reference outlines are GCJ-02 (Amap); they are shifted to WGS84 (= CGCS2000 to well
    under a metre) before comparing.
    """
    from geo.chinese_datums import gcj02_to_wgs84

    def to_wgs(xy: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    raw = json.loads((reference / COUNTY_FILE).read_text(encoding="utf-8"))
    counties = {
        f["properties"]["name"]: shapely.transform(shape(f["geometry"]), to_wgs)
        for f in raw["features"]
    }
    failures = []
    for code, geom in shapes.items():
        spec = specs[code]
        wanted = shapely.union_all([counties[name] for name in spec["counties"]])
        touched = [name for name, c in counties.items() if c.intersects(geom)]
        inside = wanted.contains(geom)
        margin = wanted.boundary.distance(geom) * 111_000  # rough metres, for the log only
        strict = spec.get("county_check", "strict") == "strict"
        verdict = "ok" if inside else ("FAIL" if strict else "crosses (allowed)")
        log.info("county check %-22s %-18s in %s (touches %s; ~%.0f m from edge)",
                 code, verdict, "/".join(spec["counties"]), "/".join(touched), margin)  # fmt: skip
        if strict and not inside:
            failures.append(f"{code} is not inside {'/'.join(spec['counties'])}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                        help="folder with the reference county outlines (optional)")  # fmt: skip
    parser.add_argument("--no-check", action="store_true", help="skip the county check")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    anchors = yaml.safe_load(ANCHORS.read_text(encoding="utf-8"))
    register = yaml.safe_load(REGISTER.read_text(encoding="utf-8"))
    parks, sections = build(anchors, register)
    check_layout(parks, sections)

    park_specs = anchors["parks"]
    date = str(anchors["provenance_date"])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "parks.geojson").write_text(
        feature_collection(parks, park_specs, date), encoding="utf-8"
    )
    (OUT_DIR / "sections.geojson").write_text(
        feature_collection(sections, anchors["sections"], date), encoding="utf-8"
    )
    log.info("wrote %s and sections.geojson", OUT_DIR / "parks.geojson")

    if args.no_check or not (args.reference / COUNTY_FILE).exists():
        log.info("county check skipped (no reference outlines at %s)", args.reference)
        return 0
    failures = county_check({**parks, **sections}, {**park_specs, **anchors["sections"]},
                            args.reference)  # fmt: skip
    for failure in failures:
        log.error("county check: %s", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
