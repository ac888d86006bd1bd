"""The register as GeoDataFrames: the shape that maps and figures draw from.

Both the bundled files and the PostGIS store produce a ``Frames``; renderers never need to
know which one they got.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from boundaries.industries import families_of
from boundaries.register import Register, data_dir, load_register
from geo.area import ellipsoidal_area_km2

log = logging.getLogger(__name__)

CRS = "EPSG:4490"
PROVENANCE_COLUMNS = ["geometry_source", "provenance", "provenance_date", "precision_m"]
PARK_COLUMNS = [
    "code", "seq", "name", "short_name", "tier", "declared_area_km2", "measured_area_km2",
    "district", "boundary_text", "bound_east", "bound_west", "bound_south", "bound_north",
    "industries", "families", *PROVENANCE_COLUMNS, "geometry",
]  # fmt: skip
SECTION_COLUMNS = [
    "code", "park", "seq", "zone_area", "name", "boundary_text", "bound_east", "bound_west",
    "bound_south", "bound_north", "measured_area_km2", *PROVENANCE_COLUMNS, "geometry",
]  # fmt: skip
POINT_COLUMNS = [
    "code", "seq", "name", "category", "district", "batch", "industries", "families",
    "located", "location_precision_m", "location_note", "geometry",
]  # fmt: skip


@dataclass(frozen=True)
class Frames:
    """Parks, 宝丰's sections and the radiation points, in CGCS2000 lon/lat (EPSG:4490)."""

    parks: gpd.GeoDataFrame
    sections: gpd.GeoDataFrame
    points: gpd.GeoDataFrame

    @property
    def any_schematic(self) -> bool:
        """True while any shown boundary is schematic: maps and figures then say 示意."""
        sources = pd.concat([self.parks["geometry_source"], self.sections["geometry_source"]])
        return bool((sources == "schematic").any())


def read_geometry(path: Path) -> gpd.GeoDataFrame:
    """Read a bundled geometry GeoJSON keyed by ``code``, in EPSG:4490."""
    frame = gpd.read_file(path)
    return frame.set_crs(CRS, allow_override=True)


def read_shapes(path: Path) -> dict[str, dict]:
    """Geometry and provenance of each feature of a bundled GeoJSON, keyed by code."""
    return {row["code"]: row for row in read_geometry(path).to_dict("records")}


def bundled_frames(folder: Path | None = None) -> Frames:
    """Frames built from the bundled register and schematic geometry, without a database."""
    folder = folder or data_dir()
    register = load_register(folder)
    shapes = {
        **read_shapes(folder / "geometry" / "parks.geojson"),
        **read_shapes(folder / "geometry" / "sections.geojson"),
    }
    return frames_from_register(register, shapes)


def frames_from_register(register: Register, geom_by_code: dict[str, dict]) -> Frames:
    """Join register attributes to geometries (with provenance) by code."""
    park_rows = []
    for park in register.parks:
        shape = geom_by_code[park.code]
        park_rows.append(
            {
                **park.model_dump(exclude={"bounds"}),
                **_bound_columns(park.bounds.model_dump()),
                "families": families_of(list(park.industries)),
                "measured_area_km2": ellipsoidal_area_km2(shape["geometry"]),
                **{key: shape[key] for key in PROVENANCE_COLUMNS},
                "geometry": shape["geometry"],
            }
        )
    section_rows = []
    for section in register.sections:
        shape = geom_by_code[section.code]
        section_rows.append(
            {
                **section.model_dump(exclude={"bounds"}),
                **_bound_columns(section.bounds.model_dump()),
                "measured_area_km2": ellipsoidal_area_km2(shape["geometry"]),
                **{key: shape[key] for key in PROVENANCE_COLUMNS},
                "geometry": shape["geometry"],
            }
        )
    point_rows = [
        {
            **point.model_dump(exclude={"lon", "lat"}),
            "families": families_of(list(point.industries)),
            "geometry": Point(point.lon, point.lat),
        }
        for point in register.points
    ]
    return Frames(
        parks=_frame(park_rows, PARK_COLUMNS),
        sections=_frame(section_rows, SECTION_COLUMNS),
        points=_frame(point_rows, POINT_COLUMNS),
    )


def _bound_columns(bounds: dict[str, str]) -> dict[str, str]:
    return {f"bound_{side}": text for side, text in bounds.items()}


def _frame(rows: list[dict], columns: list[str]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)
