"""GeoAlchemy2 models of the store. Alembic migrations own the schema; these mirror it.

Every feature table is *versioned*: a change never updates a row in place, it closes the
current version (``valid_to``) and inserts a new one. The current state is the rows with
``valid_to IS NULL``; the zone as it was on a day is the rows valid on that day. Nothing is
ever deleted, because the regulation adjusts membership over time (Art. 4) and planners
must be able to show what the zone looked like when a decision was taken.
"""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    ARRAY,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SRID = 4490  # CGCS2000 geographic, the datum of Chinese land surveys


class Base(DeclarativeBase):
    pass


class VersionColumns:
    """Who changed a feature, when, and why; shared by every versioned table."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    valid_from: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(80), nullable=False)
    change_note: Mapped[str] = mapped_column(Text, nullable=False)


class ProvenanceColumns:
    """Where a geometry comes from: never present a schematic guess as a survey."""

    geometry_source: Mapped[str] = mapped_column(String(20), nullable=False)
    provenance: Mapped[str] = mapped_column(Text, nullable=False)
    provenance_date: Mapped[date] = mapped_column(Date, nullable=False)
    precision_m: Mapped[float] = mapped_column(Float, nullable=False)


class ZoneDeclaration(Base):
    """The seed's declared totals: one row for the zone, one per tier."""

    __tablename__ = "zone_declarations"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    declared_km2: Mapped[float] = mapped_column(Numeric(10, 2), nullable=False)


class Park(VersionColumns, ProvenanceColumns, Base):
    __tablename__ = "parks"

    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    short_name: Mapped[str] = mapped_column(Text, nullable=False)
    tier: Mapped[str] = mapped_column(String(20), nullable=False)
    declared_area_km2: Mapped[float] = mapped_column(Numeric(10, 2), nullable=False)
    district: Mapped[str] = mapped_column(Text, nullable=False)
    boundary_text: Mapped[str] = mapped_column(Text, nullable=False)
    bound_east: Mapped[str] = mapped_column(Text, nullable=False)
    bound_west: Mapped[str] = mapped_column(Text, nullable=False)
    bound_south: Mapped[str] = mapped_column(Text, nullable=False)
    bound_north: Mapped[str] = mapped_column(Text, nullable=False)
    industries: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False
    )

    __table_args__ = (
        Index("parks_current_code", "code", unique=True, postgresql_where=text("valid_to IS NULL")),
        Index("parks_geom_gist", "geom", postgresql_using="gist"),
    )


class ParkSection(VersionColumns, ProvenanceColumns, Base):
    __tablename__ = "park_sections"

    park: Mapped[str] = mapped_column(String(40), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    zone_area: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    boundary_text: Mapped[str] = mapped_column(Text, nullable=False)
    bound_east: Mapped[str] = mapped_column(Text, nullable=False)
    bound_west: Mapped[str] = mapped_column(Text, nullable=False)
    bound_south: Mapped[str] = mapped_column(Text, nullable=False)
    bound_north: Mapped[str] = mapped_column(Text, nullable=False)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False
    )

    __table_args__ = (
        Index(
            "park_sections_current_code",
            "code",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index("park_sections_geom_gist", "geom", postgresql_using="gist"),
    )


class RadiationPoint(VersionColumns, Base):
    __tablename__ = "radiation_points"

    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    district: Mapped[str] = mapped_column(Text, nullable=False)
    batch: Mapped[int] = mapped_column(Integer, nullable=False)
    industries: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    located: Mapped[bool] = mapped_column(Boolean, nullable=False)
    location_precision_m: Mapped[float] = mapped_column(Float, nullable=False)
    location_note: Mapped[str] = mapped_column(Text, nullable=False)
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=False), nullable=False
    )

    __table_args__ = (
        Index(
            "radiation_points_current_code",
            "code",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index("radiation_points_geom_gist", "geom", postgresql_using="gist"),
    )


FEATURE_MODELS: dict[str, type[Park] | type[ParkSection] | type[RadiationPoint]] = {
    "parks": Park,
    "park_sections": ParkSection,
    "radiation_points": RadiationPoint,
}

__all__ = ["FEATURE_MODELS", "Base", "Park", "ParkSection", "RadiationPoint", "ZoneDeclaration"]
