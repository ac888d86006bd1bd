"""Turn loose rings (table rings, closed CAD polylines) into polygons with holes.

A 界址点 table or a DXF gives rings without saying which are outer boundaries and which are
holes (an enclave left out of the park). The rule is the usual even-odd one: a ring inside
an even number of other rings is an outer boundary, inside an odd number a hole of the
smallest ring around it.
"""

from __future__ import annotations

import logging

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from geo.errors import InvalidInput

log = logging.getLogger(__name__)


def close_ring(coords: NDArray, label: str) -> NDArray:
    """Drop a repeated closing point and check the ring has 3 distinct corners."""
    coords = np.asarray(coords, dtype=float)
    if len(coords) > 1 and np.array_equal(coords[0], coords[-1]):
        coords = coords[:-1]
    distinct = np.unique(coords, axis=0)
    if len(distinct) < 3:
        raise InvalidInput(f"{label}: a ring needs at least 3 distinct points, got {len(distinct)}")
    return coords


def assemble(rings: list[NDArray]) -> list[Polygon]:
    """Polygons from rings by even-odd nesting; a single ring is just a polygon."""
    shells = [Polygon(ring) for ring in rings]
    if len(shells) == 1:
        return shells
    order = sorted(range(len(shells)), key=lambda i: -abs(shells[i].area))
    depth: dict[int, int] = {}
    parent: dict[int, int | None] = {}
    for pos, i in enumerate(order):
        x, y = rings[i][0]
        # The smallest earlier (larger) ring containing this ring's first corner.
        containers = [j for j in order[:pos] if _contains(shells[j], x, y)]
        outer = containers[-1] if containers else None
        parent[i] = outer
        depth[i] = depth[outer] + 1 if outer is not None else 0
    polygons = []
    for i in order:
        if depth[i] % 2:
            continue
        holes = [rings[j] for j in order if parent.get(j) == i and depth[j] % 2]
        polygons.append(Polygon(rings[i], holes))
    return polygons


def _contains(polygon: Polygon, x: float, y: float) -> bool:
    try:
        return bool(shapely.contains_xy(polygon, x, y))
    except shapely.errors.GEOSException:  # a self-intersecting ring: validity reports it
        return False


def combine(polygons: list[Polygon]) -> Polygon | MultiPolygon:
    """One geometry without unioning: overlapping parts stay visible to the validity check."""
    if len(polygons) == 1:
        return polygons[0]
    return MultiPolygon(polygons)
