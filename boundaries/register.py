"""The park register: the seed's 附件1 and 附件2 as typed, validated records.

The register files are meant to be read and edited by people (YAML for parks and sections,
CSV for radiation points). Loading validates them so that a typo is reported with the file
and the field, not discovered later as a wrong map.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from boundaries.industries import INDUSTRY_FAMILY
from geo.errors import InvalidInput

log = logging.getLogger(__name__)
_M = TypeVar("_M", bound=BaseModel)

TIERS = ("原空间范围", "新增空间范围")
CATEGORIES = ("enterprise", "university", "hospital", "research_institute", "design_institute")
CATEGORY_LABELS = {
    "enterprise": "企业",
    "university": "高校",
    "hospital": "医院",
    "research_institute": "科研院所",
    "design_institute": "设计院",
}

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)]


def _known_industry(term: str) -> str:
    if term not in INDUSTRY_FAMILY:
        raise ValueError(f"unknown industry; known terms: {'、'.join(INDUSTRY_FAMILY)}")
    return term


Industry = Annotated[str, AfterValidator(_known_industry)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Bounds(_Record):
    """The four sides of a 四至 description, each as the seed words it."""

    east: str
    west: str
    south: str
    north: str


class Tier(_Record):
    name: Literal[TIERS]  # type: ignore[valid-type]
    declared_km2: float = Field(gt=0)


class Zone(_Record):
    name: str
    declared_total_km2: float = Field(gt=0)
    tiers: list[Tier]


class Park(_Record):
    code: Code
    seq: int = Field(ge=1)
    name: str = Field(min_length=2)
    short_name: str
    tier: Literal[TIERS]  # type: ignore[valid-type]
    declared_area_km2: float = Field(gt=0, lt=1000)
    district: str
    boundary_text: str
    bounds: Bounds
    industries: list[Industry] = Field(min_length=1)


class Section(_Record):
    """A 组团 of a park (宝丰 has four, in two 片区)."""

    code: Code
    park: Code
    seq: int = Field(ge=1)
    zone_area: str
    name: str
    boundary_text: str
    bounds: Bounds


class RadiationPoint(_Record):
    code: Annotated[str, Field(pattern=r"^rp-\d{2,3}$")]
    seq: int = Field(ge=1)
    name: str = Field(min_length=2)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    district: str
    batch: int = Field(ge=1)
    industries: list[Industry] = Field(default_factory=list)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    located: bool
    location_precision_m: float = Field(gt=0)
    location_note: str

    @field_validator("industries", mode="before")
    @classmethod
    def _split_industries(cls, value: object) -> object:
        if isinstance(value, str):
            return [term.strip() for term in value.split(";") if term.strip()]
        return value


@dataclass(frozen=True)
class Register:
    """Everything the seed declares, validated."""

    zone: Zone
    parks: list[Park]
    sections: list[Section]
    points: list[RadiationPoint]

    def park(self, code: str) -> Park:
        for park in self.parks:
            if park.code == code:
                return park
        raise KeyError(code)


def data_dir() -> Path:
    """Folder of the bundled register and geometry files."""
    return Path(str(resources.files("boundaries") / "data"))


def load_register(folder: Path | None = None) -> Register:
    """Read and validate ``parks.yaml`` and ``radiation_points.csv`` from ``folder``.

    Raises ``InvalidInput`` naming the file, the record and the field of the first problem.
    """
    folder = folder or data_dir()
    parks_file = folder / "parks.yaml"
    points_file = folder / "radiation_points.csv"
    raw = _read_yaml(parks_file)
    zone = _validate(Zone, raw.get("zone"), parks_file, "zone")
    parks = [
        _validate(Park, item, parks_file, f"parks[{i}]")
        for i, item in enumerate(_as_list(raw, "parks", parks_file))
    ]
    sections = [
        _validate(Section, item, parks_file, f"sections[{i}]")
        for i, item in enumerate(_as_list(raw, "sections", parks_file))
    ]
    points = [
        _validate(RadiationPoint, row, points_file, f"row {i + 2}")
        for i, row in enumerate(_read_csv(points_file))
    ]
    register = Register(zone=zone, parks=parks, sections=sections, points=points)
    _check_consistency(register, parks_file, points_file)
    log.debug("register loaded: %d parks, %d points", len(parks), len(points))
    return register


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: register file not found") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: expected a mapping with 'zone', 'parks' and 'sections'")
    return data


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: register file not found") from None


def _as_list(raw: dict, key: str, path: Path) -> list:
    value = raw.get(key)
    if not isinstance(value, list):
        raise InvalidInput(f"{path}: '{key}' must be a list")
    return value


def _validate(model: type[_M], item: object, path: Path, where: str) -> _M:
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(record)"
        name = item.get("code", "") if isinstance(item, dict) else ""
        label = f"{where} ({name})" if name else where
        raise InvalidInput(
            f"{path.name}: {label}, field '{field}': {first['msg']} (got {first.get('input')!r})"
        ) from None


def _check_consistency(register: Register, parks_file: Path, points_file: Path) -> None:
    """Cross-record rules: unique codes, sections belong to known parks, tiers exist."""
    _unique([p.code for p in register.parks], parks_file, "parks.code")
    _unique([s.code for s in register.sections], parks_file, "sections.code")
    _unique([p.code for p in register.points], points_file, "code")
    park_codes = {p.code for p in register.parks}
    for section in register.sections:
        if section.park not in park_codes:
            raise InvalidInput(
                f"{parks_file.name}: section {section.code}, field 'park': "
                f"unknown park {section.park!r}"
            )
    tier_names = {t.name for t in register.zone.tiers}
    for park in register.parks:
        if park.tier not in tier_names:
            raise InvalidInput(
                f"{parks_file.name}: park {park.code}, field 'tier': {park.tier!r} "
                f"is not one of the zone's tiers {sorted(tier_names)}"
            )


def _unique(codes: list[str], path: Path, field: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise InvalidInput(f"{path.name}: field '{field}': duplicate code {code!r}")
        seen.add(code)
