"""Spreadsheets of enterprises in, the same spreadsheets with the answer columns out.

Planners hand us CSV exports (UTF-8, UTF-8 with BOM, or GBK from Chinese Excel) and XLSX
files. Every row comes back, in input order, with ``park``, ``section``, ``inside``,
``distance_m``, ``near_edge``, ``warning`` (and names, nearest park, geometry source) added;
a row whose coordinates cannot be read gets its reason in ``warning`` instead of an answer.

The user's own cells are never re-typed: CSV input columns are read as text (and, when every
row is one line, copied byte for byte with the answers appended: also the fast path for a
million rows), XLSX cells keep their types. CSV output is UTF-8 with a BOM, so Excel shows the
Chinese correctly.

Speed (``benchmarks/bench_locate_pipeline.py``): a CSV is kept as UTF-8 bytes, so pandas
parses the two coordinate columns without a Python decode step and the writer joins bytes;
per-row Python work is limited to one ``bytes.join`` over (line, answer cells) pieces, with
answer texts formatted once per distinct combination and numbers formatted in numpy.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from boundaries.locating import Answers, Coded, LocatingIndex, locate_points
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
_MAX_PLACES = 7  # answer floats have at most 7 decimals (lon/lat; distances have 1)
_SCALE = 10.0**_MAX_PLACES

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
    body: bytes | None = None  # the CSV as UTF-8 without BOM (GBK input is re-encoded)
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
    end = text.find("\n")
    header_line = (text if end < 0 else text[:end]).rstrip("\r")
    delimiter = max(_DELIMITERS, key=header_line.count)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        raise InvalidInput(f"{name}: cannot read the header line.") from None
    return Table(
        "csv",
        [h.strip() for h in header],
        body=_utf8_body(data, text, encoding),
        delimiter=delimiter,
        encoding=encoding,
    )


def _utf8_body(data: bytes, text: str, encoding: str) -> bytes:
    """The CSV as UTF-8 bytes without BOM: the input itself when it was UTF-8 (no copy of a
    decoded string to keep), else the decoded text re-encoded (GBK files come out as UTF-8)."""
    if encoding != "utf-8-sig":
        return text.encode("utf-8")
    return data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data


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
    return Located(Answers.concat(parts), xc, yc, parsed)


def _coordinate_columns(table: Table, xc: str, yc: str) -> tuple[pd.Series, pd.Series]:
    if table.frame is not None:
        return table.frame[xc], table.frame[yc]
    assert table.body is not None
    wanted = sorted({table.columns.index(xc), table.columns.index(yc)})
    try:
        frame = pd.read_csv(
            io.BytesIO(table.body),
            encoding="utf-8",
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


# --- write ----------------------------------------------------------------------------------


def answer_columns(located: Located, existing: list[str]) -> dict[str, np.ndarray]:
    """Output column name -> values; names already in the file get a ``_parkgeo`` suffix."""
    a = located.answers
    return {label: getattr(a, name) for label, name in _answer_fields(located, existing).items()}


def _answer_fields(located: Located, existing: list[str]) -> dict[str, str]:
    """Output column name -> ``Answers`` field."""
    fields = {name: name for name in TABLE_COLUMNS}
    if located.crs.name not in ("wgs84", "cgcs2000"):
        fields["cgcs2000_lon"] = "lon"
        fields["cgcs2000_lat"] = "lat"
    taken = set(existing)
    return {(k if k not in taken else f"{k}_parkgeo"): v for k, v in fields.items()}


def write_table(table: Table, located: Located, fmt: str | None = None) -> bytes:
    """The table with the answer columns, as CSV (UTF-8 with BOM) or XLSX bytes."""
    fmt = fmt or table.format
    if fmt == "csv" and table.body is not None:
        fast = _append_to_lines(table, located)
        if fast is not None:
            return fast
    columns = answer_columns(located, table.columns)
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
    assert table.body is not None
    frame = pd.read_csv(
        io.BytesIO(table.body),
        encoding="utf-8",
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


def _append_to_lines(table: Table, located: Located) -> bytes | None:
    """Append the answers to each line of the CSV, the user's bytes untouched.

    None when rows are not lines (quoted line breaks): the caller then rewrites the table.
    """
    assert table.body is not None
    newline = b"\r\n" if b"\r\n" in table.body[:65536] else b"\n"
    lines = table.body.split(newline)
    if lines and lines[-1] == b"":
        lines.pop()
    rows = table.extra.get("rows")
    if rows is None or len(lines) - 1 != rows:
        return None
    d = table.delimiter
    fields = _answer_fields(located, table.columns)
    header = lines[0] + "".join(d + _quote(name, d) for name in fields).encode("utf-8")
    pieces = _cell_pieces(located.answers, list(fields.values()), d.encode("utf-8"), newline)
    # One bytes.join over [header, line, cells…, line, cells…]: a list filled by strided
    # slice assignment, so no per-row concatenation or Python loop.
    step = len(pieces) + 1
    parts: list[bytes] = [b""] * (1 + rows * step)
    parts[0] = codecs.BOM_UTF8 + header + newline
    parts[1::step] = lines[1:]
    for k, cells in enumerate(pieces, start=2):
        parts[k::step] = cells
    return b"".join(parts)


def _cell_pieces(answers: Answers, names: list[str], d: bytes, newline: bytes) -> list[list[bytes]]:
    """Per run of columns, one bytes piece per row (delimiter first), the last one ending in
    the newline. Runs of text columns have few distinct combinations (park, names, flags): each
    is formatted once and shared; float columns are formatted in numpy."""
    runs: list[list[str]] = []
    for name in names:
        text = getattr(answers, name).dtype == object
        if text and runs and getattr(answers, runs[-1][0]).dtype == object:
            runs[-1].append(name)
        else:
            runs.append([name])
    out: list[list[bytes]] = []
    for i, run in enumerate(runs):
        end = newline if i == len(runs) - 1 else b""
        values = getattr(answers, run[0])
        if values.dtype == object:
            out.append(_combination_texts([answers.factorized(name) for name in run], d, end))
        else:
            out.append(_float_texts(values, d))
            if end:
                out.append([end] * len(values))
    return out


def _combination_texts(run: list[Coded], d: bytes, end: bytes) -> list[bytes]:
    """``d`` + the cells of a run of object columns, given as (keys, table), plus ``end``."""
    combined = np.zeros(len(run[0][0]), dtype=np.int64)
    size = 1
    for keys, table in run:
        if size * len(table) >= 2**62:  # re-number so the combined key cannot overflow
            combined, uniques = pd.factorize(combined)
            size = len(uniques)
        combined = combined * len(table) + keys % len(table)  # -1 -> the table's last entry
        size *= len(table)
    row_keys, uniques = pd.factorize(combined)
    first_rows = np.empty(len(uniques), dtype=np.int64)
    first_rows[row_keys[::-1]] = np.arange(len(row_keys))[::-1]  # last write wins: first row
    sep = d.decode("utf-8")
    texts = [
        "".join(sep + _quote(_text(table[keys[row]]), sep) for keys, table in run).encode("utf-8")
        + end
        for row in first_rows.tolist()
    ]
    return np.array(texts, dtype=object)[row_keys].tolist()


def _float_texts(values: np.ndarray, d: bytes) -> list[bytes]:
    """``d`` + ``repr(value)`` per row, ``d`` alone for NaN (an empty cell)."""
    short = _is_short_decimal(values)
    texts = _decimal_texts(values, short, d)
    for i in np.flatnonzero(~short & np.isfinite(values)).tolist():
        texts[i] = d + repr(float(values[i])).encode("ascii")
    return texts


def _is_short_decimal(values: np.ndarray) -> np.ndarray:
    """True where the float is a decimal with at most _MAX_PLACES places whose repr is
    plain ``[-]digits.digits`` (as every answer column: locate_points rounds them)."""
    with np.errstate(invalid="ignore", over="ignore"):
        size = np.abs(values)
        exact = np.rint(values * _SCALE) / _SCALE == values  # False for NaN and inf
        plain = (size < 1e8) & ((size >= 1e-4) | (values == 0))  # repr writes 1e-05
    return exact & plain & ~((values == 0) & np.signbit(values))  # repr writes -0.0


def _decimal_texts(values: np.ndarray, short: np.ndarray, d: bytes) -> list[bytes]:
    """``d`` + the text of each ``short`` value (``d`` alone elsewhere), digits in numpy.

    Such a float is k / 10**_MAX_PLACES for an integer k, and repr writes k's digits with the
    point in place and trailing zeros dropped (one kept): the same bytes without a Python call
    per row. Zero bytes mark "no character" and are squeezed out at the end.
    """
    with np.errstate(invalid="ignore"):
        count = np.where(short, np.abs(np.rint(values * _SCALE)), 0).astype(np.int64)
    whole, frac = np.divmod(count, 10**_MAX_PLACES)
    places = next(
        p for p in range(1, _MAX_PLACES + 1) if not (frac % 10 ** (_MAX_PLACES - p)).any()
    )
    frac //= 10 ** (_MAX_PLACES - places)
    n_whole = len(str(int(whole.max(initial=0))))
    chars = np.zeros((len(values), len(d) + 2 + n_whole + places), dtype=np.uint8)
    chars[:, : len(d)] = np.frombuffer(d, dtype=np.uint8)
    chars[:, len(d)] = np.where(short & (values < 0), ord("-"), 0)
    point = len(d) + 1 + n_whole
    for k in range(n_whole):  # least significant first; leading zeros dropped, "0" kept
        shown = short & ((whole > 0) | (k == 0))
        chars[:, point - 1 - k] = np.where(shown, whole % 10 + ord("0"), 0)
        whole //= 10
    chars[:, point] = np.where(short, ord("."), 0)
    nonzero = np.zeros(len(values), dtype=bool)
    for k in range(places):  # least significant first; trailing zeros dropped, one kept
        digit = frac % 10
        nonzero |= digit != 0
        shown = short & (nonzero | (k == places - 1))
        chars[:, point + places - k] = np.where(shown, digit + ord("0"), 0)
        frac //= 10
    return _compact_rows(chars)


def _compact_rows(matrix: np.ndarray) -> list[bytes]:
    """Each row of a uint8 matrix as bytes, the zero bytes removed (two masked copies)."""
    filled = matrix != 0
    lengths = filled.sum(axis=1)
    packed = np.zeros_like(matrix)
    packed[np.arange(matrix.shape[1]) < lengths[:, None]] = matrix[filled]
    # An "S" array drops trailing zero bytes when converted to bytes objects.
    return packed.view(f"S{matrix.shape[1]}").ravel().tolist()


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
