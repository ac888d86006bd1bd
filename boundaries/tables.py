"""Spreadsheets of enterprises in, the same spreadsheets with the answer columns out.

Planners hand us CSV exports (UTF-8, UTF-8 with BOM, or GBK from Chinese Excel) and XLSX
files. Every row comes back, in input order, with ``park``, ``section``, ``inside``,
``distance_m``, ``near_edge``, ``warning`` (and names, nearest park, geometry source) added;
a row whose coordinates cannot be read gets its reason in ``warning`` instead of an answer.

The user's own cells are never re-typed: CSV input columns are read as text (and, when every
row is one line, copied byte for byte with the answers appended: also the fast path for a
million rows), XLSX cells keep their types. CSV output is UTF-8 with a BOM, so Excel shows the
Chinese correctly.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from boundaries.locating import Answers, LocatingIndex, locate_points
from geo.crs import ParsedCrs, parse_crs
from geo.errors import InvalidInput

log = logging.getLogger(__name__)

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}
CHUNK_ROWS = 100_000

#: Answer columns, in output order. ``cgcs2000_lon/lat`` only when the input was converted.
TABLE_COLUMNS = (
    "park",
    "park_name",
    "section",
    "section_name",
    "inside",
    "distance_m",
    "nearest_park",
    "near_edge",
    "geometry_source",
    "warning",
)
_ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312
_DELIMITERS = (",", "\t", ";")

# (x names, y names) in priority order, compared after _normal(); geographic first.
_PAIRS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("经度",), ("纬度",)),
    (("lon", "lng", "long", "longitude"), ("lat", "latitude")),
    (("东坐标", "e", "easting"), ("北坐标", "n", "northing")),
)

Progress = Callable[[int, int], None]


@dataclass
class Table:
    """A read spreadsheet: ``frame`` (text columns for CSV, typed cells for XLSX)."""

    format: str
    columns: list[str]
    frame: pd.DataFrame | None = None
    text: str | None = None  # decoded CSV, for the line-preserving writer
    delimiter: str = ","
    encoding: str = "utf-8"
    extra: dict[str, Any] = field(default_factory=dict)


def table_format(filename: str | None, data: bytes | None = None) -> str:
    """'csv' or 'xlsx' from the file name (or the bytes: XLSX is a zip)."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix == ".xls":
        raise InvalidInput(
            f"{filename}: old Excel .xls files are not supported; save it as .xlsx or .csv."
        )
    if data is not None and data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data is not None and suffix == "":
        return "csv"
    raise InvalidInput(f"{filename}: expected a .csv or .xlsx file.")


def read_table(data: bytes, filename: str | None = None) -> Table:
    """Read CSV or XLSX bytes; InvalidInput with the reason when it cannot be read."""
    fmt = table_format(filename, data)
    name = filename or "the file"
    if fmt == "xlsx":
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise InvalidInput(f"{name}: cannot read it as an Excel .xlsx file ({exc}).") from None
        frame.columns = [str(c) for c in frame.columns]
        return Table("xlsx", list(frame.columns), frame=frame)
    text, encoding = _decode(data, name)
    if not text.strip():
        raise InvalidInput(f"{name}: the file is empty.")
    header_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = max(_DELIMITERS, key=header_line.count)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise InvalidInput(f"{name}: cannot read the header line.") from None
    return Table(
        "csv", [h.strip() for h in header], text=text, delimiter=delimiter, encoding=encoding
    )


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise InvalidInput(
            f"{name}: this is not a text CSV (UTF-16 or binary?); save it as CSV UTF-8."
        )
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"{name}: cannot decode the file as UTF-8 or GBK; save it as CSV UTF-8.")


def _normal(name: str) -> str:
    name = re.sub(r"[（(\[【].*?[)）\]】]", "", str(name))  # units: 经度(°), lon [deg]
    return re.sub(r"[\s_\-.:：]", "", name).lower()


def guess_columns(
    columns: list[str],
    crs: ParsedCrs,
    x_col: str | None = None,
    y_col: str | None = None,
) -> tuple[str, str]:
    """The (x, y) columns: the ones given, or obvious names; else InvalidInput asking for them.

    x is lon or EASTING, y is lat or NORTHING. A survey table's "X" is the NORTHING: with a
    projected CRS, columns X/Y are read as y/x.
    """
    for given, flag in ((x_col, "--x-col"), (y_col, "--y-col")):
        if given is not None and given not in columns:
            raise InvalidInput(
                f"column {given!r} ({flag}) is not in the file; columns: {_listing(columns)}."
            )
    if x_col and y_col:
        return x_col, y_col
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(_normal(col), col)
    pairs = list(_PAIRS)
    xy = (("y",), ("x",)) if not crs.is_geographic else (("x",), ("y",))
    pairs.append(xy)
    for xs, ys in pairs:
        gx = next((by_norm[n] for n in xs if n in by_norm), None)
        gy = next((by_norm[n] for n in ys if n in by_norm), None)
        if gx and gy:
            return x_col or gx, y_col or gy
    # Looser: exactly one column mentioning 经度/lon/lng and one 纬度/lat.
    gx = _only(columns, ("经度", "lon", "lng"))
    gy = _only(columns, ("纬度", "lat"))
    if gx and gy and gx != gy:
        return x_col or gx, y_col or gy
    raise InvalidInput(
        "cannot tell which columns hold the coordinates; columns: "
        f"{_listing(columns)}. Name them with --x-col and --y-col (API: x_col, y_col): "
        "x = longitude or easting, y = latitude or northing (a survey table's X is the northing)."
    )


def _only(columns: list[str], keys: tuple[str, ...]) -> str | None:
    found = [c for c in columns if any(k in _normal(c) for k in keys)]
    return found[0] if len(found) == 1 else None


def _listing(columns: list[str]) -> str:
    return ", ".join(repr(c) for c in columns) or "(none)"


def parse_numbers(values: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Floats (NaN where unreadable) and a problem text (or None) per cell."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        problems = np.full(numbers.size, None, dtype=object)
        problems[np.isnan(numbers)] = f"{column} 为空 / {column} is empty"
        problems[np.isinf(numbers)] = f"{column} 不是有限数 / {column} is not a finite number"
        return numbers, problems
    text = values.astype(object).where(values.notna(), None)
    stripped = text.map(lambda v: v.strip() if isinstance(v, str) else v)
    numbers = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    problems = np.full(numbers.size, None, dtype=object)
    for i in np.flatnonzero(~np.isfinite(numbers)).tolist():
        raw = stripped.iat[i]
        if raw is None or raw == "" or (isinstance(raw, float) and np.isnan(raw)):
            problems[i] = f"{column} 为空 / {column} is empty"
        elif np.isinf(numbers[i]):
            problems[i] = f"{column} 不是有限数 / {column} is not a finite number"
        else:
            problems[i] = f"{column} 不是有效数字 / {column} is not a number: {str(raw)[:40]!r}"
    return numbers, problems


# --- annotate -------------------------------------------------------------------------------


@dataclass
class Located:
    """The answers for a table, and the columns they came from."""

    answers: Answers
    x_col: str
    y_col: str
    crs: ParsedCrs


def locate_table(
    table: Table,
    index: LocatingIndex,
    *,
    crs: str | ParsedCrs | None = None,
    x_col: str | None = None,
    y_col: str | None = None,
    progress: Progress | None = None,
) -> Located:
    """Answer every row of ``table`` (chunks of CHUNK_ROWS, reported to ``progress``)."""
    parsed = crs if isinstance(crs, ParsedCrs) else parse_crs(crs)
    xc, yc = guess_columns(table.columns, parsed, x_col, y_col)
    xs, ys = _coordinate_columns(table, xc, yc)
    x, px = parse_numbers(xs, xc)
    y, py = parse_numbers(ys, yc)
    problems = merge_problems(px, py)
    n = x.size
    parts: list[Answers] = []
    for start in range(0, max(n, 1), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n)
        parts.append(
            locate_points(
                index, x[start:stop], y[start:stop], parsed, problems=problems[start:stop]
            )
        )
        if progress is not None:
            progress(stop, n)
    return Located(_concat(parts), xc, yc, parsed)


def _coordinate_columns(table: Table, xc: str, yc: str) -> tuple[pd.Series, pd.Series]:
    if table.frame is not None:
        return table.frame[xc], table.frame[yc]
    assert table.text is not None
    wanted = sorted({table.columns.index(xc), table.columns.index(yc)})
    try:
        frame = pd.read_csv(
            io.StringIO(table.text),
            sep=table.delimiter,
            usecols=wanted,
            skip_blank_lines=False,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InvalidInput(f"cannot read the CSV rows: {exc}") from None
    table.extra["rows"] = len(frame)
    position = {col: wanted.index(table.columns.index(col)) for col in (xc, yc)}
    return frame.iloc[:, position[xc]], frame.iloc[:, position[yc]]


def merge_problems(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Join two per-cell problem arrays (str or None) into one."""
    out = np.where(a == None, b, a)  # noqa: E711
    both = (a != None) & (b != None)  # noqa: E711
    out[both] = [f"{p}; {q}" for p, q in zip(a[both], b[both], strict=True)]
    return out


def _concat(parts: list[Answers]) -> Answers:
    if len(parts) == 1:
        return parts[0]
    names = Answers.__dataclass_fields__
    return Answers(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})


# --- write ----------------------------------------------------------------------------------


def answer_columns(located: Located, existing: list[str]) -> dict[str, np.ndarray]:
    """Output column name -> values; names already in the file get a ``_parkgeo`` suffix."""
    a = located.answers
    values: dict[str, np.ndarray] = {name: getattr(a, name) for name in TABLE_COLUMNS}
    if located.crs.name not in ("wgs84", "cgcs2000"):
        values["cgcs2000_lon"] = a.lon
        values["cgcs2000_lat"] = a.lat
    taken = set(existing)
    out = {}
    for name, column in values.items():
        label = name if name not in taken else f"{name}_parkgeo"
        out[label] = column
    return out


def write_table(table: Table, located: Located, fmt: str | None = None) -> bytes:
    """The table with the answer columns, as CSV (UTF-8 with BOM) or XLSX bytes."""
    fmt = fmt or table.format
    columns = answer_columns(located, table.columns)
    if fmt == "csv" and table.text is not None:
        fast = _append_to_lines(table, columns)
        if fast is not None:
            return fast
    frame = _full_frame(table)
    frame = frame.assign(**{k: _cells(v) for k, v in columns.items()})
    if fmt == "xlsx":
        buf = io.BytesIO()
        frame.to_excel(buf, index=False, engine="openpyxl")
        return buf.getvalue()
    text = frame.to_csv(index=False, sep=table.delimiter, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _full_frame(table: Table) -> pd.DataFrame:
    if table.frame is not None:
        return table.frame
    assert table.text is not None
    frame = pd.read_csv(
        io.StringIO(table.text),
        sep=table.delimiter,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
    )
    return frame


def _cells(values: np.ndarray) -> pd.Series:
    """Spreadsheet cells: None stays empty, NaN too, bools and floats keep their type."""
    if values.dtype == object:
        return pd.Series(values, dtype=object)
    return pd.Series(values).astype(object).where(~np.isnan(values), None)


def _append_to_lines(table: Table, columns: dict[str, np.ndarray]) -> bytes | None:
    """Append the answers to each line of the CSV text, the user's bytes untouched.

    None when rows are not lines (quoted line breaks): the caller then rewrites the table.
    """
    assert table.text is not None
    text = table.text
    newline = "\r\n" if "\r\n" in text[:65536] else "\n"
    lines = text.split(newline)
    if lines and lines[-1] == "":
        lines.pop()
    rows = table.extra.get("rows")
    if rows is None or len(lines) - 1 != rows:
        return None
    d = table.delimiter
    lines[0] += d + d.join(_quote(name, d) for name in columns)
    pieces = _cell_texts(columns, d)
    # One join over (line, cells…, newline) per row: no per-row string concatenation.
    body = "".join(chain.from_iterable(zip(lines[1:], *pieces, repeat(newline))))
    return (lines[0] + newline + body).encode("utf-8-sig")


def _cell_texts(columns: dict[str, np.ndarray], d: str) -> list[list[str]]:
    """Per column group, one text per row (delimiter first). Runs of object columns have
    few distinct combinations: each is formatted once and shared."""
    out: list[list[str]] = []
    group: list[np.ndarray] = []

    def flush() -> None:
        if not group:
            return
        n = len(group[0])
        keys = np.zeros(n, dtype=np.int64)
        for values in group:
            codes, _ = pd.factorize(values, use_na_sentinel=True)
            keys = keys * (int(codes.max(initial=0)) + 2) + codes + 1
        _, first_rows, inverse = np.unique(keys, return_index=True, return_inverse=True)
        texts = [
            "".join(d + _quote(_text(values[row]), d) for values in group)
            for row in first_rows.tolist()
        ]
        out.append(np.array(texts, dtype=object)[inverse].tolist())
        group.clear()

    for values in columns.values():
        if values.dtype == object:
            group.append(values)
            continue
        flush()
        cells = [d + text for text in map(repr, values.tolist())]
        for i in np.flatnonzero(~np.isfinite(values)).tolist():
            cells[i] = d
        out.append(cells)
    flush()
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def _quote(value: str, delimiter: str) -> str:
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def output_name(filename: str | None, fmt: str) -> str:
    """``企业名单.xlsx`` -> ``企业名单_located.xlsx``."""
    stem = Path(filename or "points").stem or "points"
    return f"{stem}_located.{fmt}"
