"""Distance to the nearest park boundary for millions of points, without a tree walk per point.

``geo.locate.ParkLocator(distances=True)`` asks a GEOS STRtree for each point's nearest
boundary piece: exact, but ~10 µs a point (10 s for a 1M-row spreadsheet). This module gives
the same numbers (same local transverse Mercator, same ~200 m densification, so the segments
are identical) with a precomputed candidate list per grid cell:

For a cell with centre c and half-diagonal h, let d0 be the distance from c to the nearest
segment. Any point p of the cell has D(p) ≤ d0 + h, and a segment farther than d0 + 2h from c
is farther than d0 + h from p, so only segments within d0 + 2h of c can be nearest. That list
is then pruned with a convexity test (``_may_be_nearest``: about 7 candidates a point are left
instead of 42, mostly a straight edge's neighbouring pieces seen from afar) and stored per
cell (CSR arrays); a batch of points is answered by a vectorised point-segment distance over
its (point, candidate) pairs, in rounds of a branch and bound. Points off the grid (more than
``margin_m`` from every park) fall back to the STRtree.

Large batches are split over threads: numpy and PROJ release the GIL, and the lazily built
cell lists are guarded by a lock (the service answers requests from a thread pool too).
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from geo.crs import local_metric_transformer

log = logging.getLogger(__name__)

_DENSIFY_DEG = 0.002  # as geo.locate: lon/lat-straight vs projected-straight edges < 1 mm
_BLOCK = 8  # cells per side of a block when building candidate lists
_SMALL = 2000  # below this many points, use the STRtree directly
_PARALLEL = 100_000  # from this many points, split the batch over threads
_THREADS = min(4, os.cpu_count() or 1)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """One pool for the process: its threads keep their PROJ contexts (pyproj makes one per
    thread, at a cost of milliseconds; fresh threads per call were slower than none)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_THREADS, thread_name_prefix="nearest-edge")
        return _pool


@dataclass(frozen=True)
class _Lists:
    """Candidate segments of the built cells, in CSR order: replaced as a whole when cells are
    added (old offsets stay valid: new lists are appended), so a reader never sees a mix."""

    cand: NDArray[np.int64]  # segment index
    cdist: NDArray[np.float64]  # its distance to the cell centre, ascending per cell
    xy: tuple[NDArray[np.float64], ...]  # the segments' (ax, ay, ux, uy, 1/len²), aligned


class NearestEdge:
    """Unsigned distance (m) from points to the nearest polygon boundary, and whose it is.

    Parameters
    ----------
    polygons
        Polygons or MultiPolygons in CGCS2000 lon/lat.
    cell_m
        Grid cell size in metres: smaller means fewer candidates per point, a longer build.
    margin_m
        How far around the polygons the grid reaches; points beyond use the STRtree.
    """

    def __init__(
        self,
        polygons: Sequence[BaseGeometry],
        *,
        cell_m: float = 250.0,
        margin_m: float = 30_000.0,
    ) -> None:
        self._to_local = local_metric_transformer(shapely.total_bounds(polygons))
        self._segments(polygons)
        self._build_grid(cell_m, margin_m)

    def _segments(self, polygons: Sequence[BaseGeometry]) -> None:
        ax, ay, bx, by, owner = [], [], [], [], []
        for k, poly in enumerate(polygons):
            rings = shapely.get_parts(shapely.boundary(shapely.segmentize(poly, _DENSIFY_DEG)))
            for ring in rings:
                xy = shapely.get_coordinates(ring)
                px, py = self._to_local.transform(xy[:, 0], xy[:, 1])
                px, py = np.asarray(px), np.asarray(py)
                ax.append(px[:-1])
                ay.append(py[:-1])
                bx.append(px[1:])
                by.append(py[1:])
                owner.append(np.full(px.size - 1, k))
        self._ax, self._ay = np.concatenate(ax), np.concatenate(ay)
        self._ux = np.concatenate(bx) - self._ax
        self._uy = np.concatenate(by) - self._ay
        self.owner = np.concatenate(owner).astype(np.int64)
        len2 = self._ux**2 + self._uy**2
        # A repeated vertex is a zero-length segment: its nearest point is its start.
        self._inv_len2 = np.divide(1.0, len2, out=np.zeros_like(len2), where=len2 > 0)
        self._segment_xy = (self._ax, self._ay, self._ux, self._uy, self._inv_len2)
        lines = shapely.linestrings(
            np.stack(
                [
                    np.column_stack([self._ax, self._ay]),
                    np.column_stack([self._ax + self._ux, self._ay + self._uy]),
                ],
                axis=1,
            )
        )
        self._tree = shapely.STRtree(lines)

    def _build_grid(self, cell_m: float, margin_m: float) -> None:
        xs = np.concatenate([self._ax, self._ax + self._ux])
        ys = np.concatenate([self._ay, self._ay + self._uy])
        self._x0 = float(xs.min()) - margin_m
        self._y0 = float(ys.min()) - margin_m
        self._cell = float(cell_m)
        self._half_diag = cell_m / math.sqrt(2)
        self._nx = math.ceil((float(xs.max()) + margin_m - self._x0) / cell_m)
        self._ny = math.ceil((float(ys.max()) + margin_m - self._y0) / cell_m)
        # Candidate lists (CSR: start/count into cand/cdist) are built lazily, for the cells
        # points actually fall in; count 0 means "not built yet" (a built cell has ≥ 1).
        self._start = np.zeros(self._nx * self._ny, dtype=np.int64)
        self._count = np.zeros(self._nx * self._ny, dtype=np.int64)
        self._lists = _Lists(np.zeros(0, dtype=np.int64), np.zeros(0), (np.zeros(0),) * 5)
        self._lock = threading.Lock()

    def _centre(self, cells: NDArray) -> tuple[NDArray, NDArray]:
        return (
            self._x0 + (cells % self._nx + 0.5) * self._cell,
            self._y0 + (cells // self._nx + 0.5) * self._cell,
        )

    def _prepare_cells(self, cells: NDArray) -> _Lists:
        """Build the candidate lists of the cells not built yet; the lists to read them from."""
        with self._lock:
            todo = np.unique(cells[self._count[cells] == 0])
            if todo.size:
                self._build_cells(todo)
            return self._lists

    def _build_cells(self, todo: NDArray) -> None:
        # Two levels: blocks of _BLOCK x _BLOCK cells get candidates from all segments, cells
        # from their block's list. A cell's candidates are a subset of its block's (its centre
        # is within H - h of the block's, so d0 + 2h + |c - c'| ≤ D0 + 2H).
        bx = (todo % self._nx) // _BLOCK
        by = (todo // self._nx) // _BLOCK
        block_id = by * (self._nx // _BLOCK + 1) + bx
        blocks, inverse = np.unique(block_id, return_inverse=True)
        big = self._cell * _BLOCK
        bcx = self._x0 + (blocks % (self._nx // _BLOCK + 1) + 0.5) * big
        bcy = self._y0 + (blocks // (self._nx // _BLOCK + 1) + 0.5) * big
        cands, dists = [self._lists.cand], [self._lists.cdist]
        offset = self._lists.cand.size
        for b in range(blocks.size):
            d = np.sqrt(self._dist2(bcx[b], bcy[b], slice(None)))
            pool = np.flatnonzero(d <= d.min() + big * math.sqrt(2) + 1e-6)
            mine = todo[inverse == b]
            cx, cy = self._centre(mine)
            d = np.sqrt(self._dist2(cx[:, None], cy[:, None], pool[None, :]))
            reach = d.min(axis=1, keepdims=True) + 2 * self._half_diag + 1e-6
            row, col = np.nonzero(d <= reach)
            cd = d[row, col]
            ref = pool[d.argmin(axis=1)]
            keep = self._may_be_nearest(cx[row], cy[row], pool[col], cd, ref[row])
            row, col, cd = row[keep], col[keep], cd[keep]
            order = np.lexsort((cd, row))
            counts = np.bincount(row, minlength=mine.size)
            self._start[mine] = offset + np.concatenate([[0], np.cumsum(counts)[:-1]])
            self._count[mine] = counts
            offset += row.size
            cands.append(pool[col[order]])
            dists.append(cd[order])
        cand = np.concatenate(cands)
        self._lists = _Lists(cand, np.concatenate(dists), tuple(a[cand] for a in self._segment_xy))

    def _may_be_nearest(
        self, cx: NDArray, cy: NDArray, seg: NDArray, dist: NDArray, ref: NDArray
    ) -> NDArray[np.bool_]:
        """False where segment ``seg`` is nearer to no point of the cell centred (cx, cy) than
        segment ``ref`` is, so it need not be in the cell's list (``dist``: seg to centre).

        The distance to a segment is convex, so its tangent plane at the centre,
        L(p) = dist + g·(p - c), is below it everywhere; L(p) - D(p, ref) is then concave and
        its minimum over the cell is at a corner. If it is positive at all four corners, the
        segment is farther than ``ref`` from every point of the cell. Ties are kept (margins
        of a micrometre), so the answers, nearest park included, do not change.
        """
        ux, uy = self._ux[seg], self._uy[seg]
        wx, wy = cx - self._ax[seg], cy - self._ay[seg]
        t = np.clip((wx * ux + wy * uy) * self._inv_len2[seg], 0.0, 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):  # g = 0 on the segment itself
            gx = np.where(dist > 0, (wx - t * ux) / dist, 0.0)
            gy = np.where(dist > 0, (wy - t * uy) / dist, 0.0)
        e = self._cell / 2 + 1e-6  # a point's cell may be off by a rounding error
        keep = np.zeros(seg.size, dtype=bool)
        for sx, sy in ((-e, -e), (-e, e), (e, -e), (e, e)):
            lower = dist + gx * sx + gy * sy
            keep |= lower <= np.sqrt(self._dist2(cx + sx, cy + sy, ref)) + 1e-6
        return keep

    def _dist2(self, px: NDArray, py: NDArray, seg: NDArray | slice) -> NDArray:
        """Squared point-segment distances (broadcasting points against segments)."""
        ux, uy = self._ux[seg], self._uy[seg]
        wx = px - self._ax[seg]
        wy = py - self._ay[seg]
        t = np.clip((wx * ux + wy * uy) * self._inv_len2[seg], 0.0, 1.0)
        ex = wx - t * ux
        ey = wy - t * uy
        return ex * ex + ey * ey

    def _brute(self, px: NDArray, py: NDArray) -> tuple[NDArray, NDArray]:
        """Distance and segment index by the STRtree (exact, slower per point)."""
        (src, idx), dist = self._tree.query_nearest(
            shapely.points(px, py), return_distance=True, all_matches=False
        )
        out_d = np.empty(px.size)
        out_s = np.empty(px.size, dtype=np.int64)
        out_d[src] = dist
        out_s[src] = idx
        return out_d, out_s

    def nearest(self, lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
        """(distance_m, polygon index) per CGCS2000 point; NaN and -1 for non-finite input."""
        lon_a = np.ravel(np.asarray(lon, dtype=float))
        lat_a = np.ravel(np.asarray(lat, dtype=float))
        dist = np.full(lon_a.size, np.nan)
        owner = np.full(lon_a.size, -1, dtype=np.int64)
        if lon_a.size < _PARALLEL or _THREADS < 2:
            self._nearest_into(lon_a, lat_a, dist, owner)
            return dist, owner
        bounds = np.linspace(0, lon_a.size, _THREADS + 1).astype(int)
        parts = [slice(a, b) for a, b in pairwise(bounds.tolist())]
        done = [
            _executor().submit(self._nearest_into, lon_a[p], lat_a[p], dist[p], owner[p])
            for p in parts
        ]
        for future in done:
            future.result()
        return dist, owner

    def _nearest_into(self, lon: NDArray, lat: NDArray, dist: NDArray, owner: NDArray) -> None:
        """Fill ``dist``/``owner`` (views of the caller's arrays) for one batch."""
        ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
        if ok.size == 0:
            return
        px, py = self._to_local.transform(lon[ok], lat[ok])
        px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
        fx = np.floor((px - self._x0) / self._cell)
        fy = np.floor((py - self._y0) / self._cell)
        on_grid = (fx >= 0) & (fx < self._nx) & (fy >= 0) & (fy < self._ny)
        if ok.size < _SMALL:  # a handful of points: not worth building cells
            on_grid[:] = False
        off = np.flatnonzero(~on_grid & np.isfinite(px) & np.isfinite(py))
        if off.size:
            d, s = self._brute(px[off], py[off])
            dist[ok[off]], owner[ok[off]] = d, self.owner[s]
        grid_pts = np.flatnonzero(on_grid)
        if grid_pts.size:
            cells = fy[grid_pts].astype(np.int64) * self._nx + fx[grid_pts].astype(np.int64)
            lists = self._prepare_cells(cells)
            by_cell = np.argsort(cells, kind="stable")  # neighbours read neighbouring lists
            grid_pts, cells = grid_pts[by_cell], cells[by_cell]
            d, s = self._by_cell(px[grid_pts], py[grid_pts], cells, lists)
            dist[ok[grid_pts]], owner[ok[grid_pts]] = d, self.owner[s]

    def _by_cell(
        self, px: NDArray, py: NDArray, cells: NDArray, lists: _Lists
    ) -> tuple[NDArray, NDArray]:
        """Branch and bound in rounds: candidates in order of distance to the cell centre.

        A point is done once the next candidate's lower bound, dist(centre, seg) minus the
        point's offset from the centre, cannot beat its best so far.
        """
        first, count = self._start[cells], self._count[cells]
        cx, cy = self._centre(cells)
        offset = np.hypot(px - cx, py - cy)
        best = np.full(px.size, np.inf)
        best_seg = np.zeros(px.size, dtype=np.int64)
        active = np.arange(px.size)
        pos, width = 0, 4
        last = lists.cand.size - 1
        while active.size:
            cols = pos + np.arange(width)
            valid = cols[None, :] < count[active, None]
            idx = np.minimum(first[active, None] + cols[None, :], last)
            ax, ay, ux, uy, inv = (a[idx] for a in lists.xy)  # CSR-aligned copies
            wx = px[active, None] - ax
            wy = py[active, None] - ay
            t = np.clip((wx * ux + wy * uy) * inv, 0.0, 1.0)
            wx -= t * ux
            wy -= t * uy
            d2 = wx * wx + wy * wy
            d2[~valid] = np.inf
            j = d2.argmin(axis=1)
            m = np.sqrt(d2[np.arange(active.size), j])
            better = m < best[active]
            best[active[better]] = m[better]
            best_seg[active[better]] = lists.cand[idx[better, j[better]]]
            pos += width
            more = pos < count[active]
            nxt = lists.cdist[np.minimum(first[active] + pos, last)]
            more &= nxt - offset[active] < best[active]
            active = active[more]
            width *= 2
        return best, best_seg
