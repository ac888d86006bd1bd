"""GCJ-02 ("Mars coordinates") and BD-09 (Baidu) conversions, which PROJ declined to include.

GCJ-02 is WGS84 plus a deterministic, position-dependent offset of a few hundred metres
(the standard published formula on the Krasovsky 1940 ellipsoid, a = 6 378 245 m); BD-09 is a
further small rotation/scaling of GCJ-02. Both are used by Chinese web maps (Amap/Gaode,
Tencent: GCJ-02; Baidu: BD-09), so enterprise addresses geocoded there arrive in them.

Conventions
-----------
- Arguments are ``(lon, lat)`` in degrees, scalars or array-likes (broadcast together); the
  result has the same shape (Python floats for scalar input). NaN in gives NaN out.
- Outside China GCJ-02 is the identity: the standard ``out_of_china`` rule (lon outside
  72.004–137.8347 or lat outside 0.8293–55.8271) leaves such points unshifted, as every
  public implementation does. For WGS84→GCJ-02 the rule is applied to the WGS84 point; for
  the inverse to the GCJ-02 point. BD-09 is applied everywhere (it is only meaningful in China).
- ``gcj02_to_wgs84`` is an iterative inverse (fixed point on the forward formula); it stops
  when the forward image matches the input to 1e-10° (about 0.01 mm), far below the 0.01 m
  promised. The one-step inverse found in many libraries is off by up to ~1-2 m.
- ``bd09_to_gcj02`` starts from the usual closed-form inverse (itself off by up to ~0.1 m from
  the forward formula) and refines it the same way, so BD-09 round trips to < 1e-10°.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import ArrayLike, NDArray

log = logging.getLogger(__name__)

# Krasovsky 1940: the published vectors reproduce exactly with these (not with WGS84's a).
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006

_TOL_DEG = 1e-10
_MAX_ITER = 30

Coords = tuple[NDArray[np.float64], NDArray[np.float64]] | tuple[float, float]


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """The standard rectangle outside which GCJ-02 leaves coordinates unchanged (NaN: False)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271)


def _prepare(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray, bool]:
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return x, y, x.ndim == 0


def _finish(x: NDArray, y: NDArray, scalar: bool) -> Coords:
    if scalar:
        return float(x), float(y)
    return x, y


def _max_abs(a: NDArray, b: NDArray) -> float:
    d = np.abs(np.concatenate([np.ravel(a), np.ravel(b)]))
    return float(d[np.isfinite(d)].max(initial=0.0))


def _gcj_delta(lon: NDArray, lat: NDArray) -> tuple[NDArray, NDArray]:
    """GCJ-02 minus WGS84 (degrees) at a WGS84 point, without the out-of-China rule."""
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _wgs_to_gcj(x: NDArray, y: NDArray) -> tuple[NDArray, NDArray]:
    dlon, dlat = _gcj_delta(x, y)
    outside = out_of_china(x, y)
    return np.where(outside, x, x + dlon), np.where(outside, y, y + dlat)


def _gcj_to_wgs(gx: NDArray, gy: NDArray) -> tuple[NDArray, NDArray]:
    # Fixed point w = g - delta(w): delta varies slowly, so it converges in a few steps.
    wx, wy = gx.copy(), gy.copy()
    for _ in range(_MAX_ITER):
        dlon, dlat = _gcj_delta(wx, wy)
        nx, ny = gx - dlon, gy - dlat
        step = _max_abs(nx - wx, ny - wy)
        wx, wy = nx, ny
        if step < _TOL_DEG:
            break
    else:
        log.warning("gcj02_to_wgs84 did not converge to %g deg in %d steps", _TOL_DEG, _MAX_ITER)
    outside = out_of_china(gx, gy)
    return np.where(outside, gx, wx), np.where(outside, gy, wy)


def _gcj_to_bd(x: NDArray, y: NDArray) -> tuple[NDArray, NDArray]:
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT


def _bd_to_gcj_closed_form(bx: NDArray, by: NDArray) -> tuple[NDArray, NDArray]:
    x = bx - _BD_DLON
    y = by - _BD_DLAT
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _bd_to_gcj(bx: NDArray, by: NDArray) -> tuple[NDArray, NDArray]:
    gx, gy = _bd_to_gcj_closed_form(bx, by)
    for _ in range(_MAX_ITER):
        fx, fy = _gcj_to_bd(gx, gy)
        ex, ey = bx - fx, by - fy
        gx, gy = gx + ex, gy + ey
        step = _max_abs(ex, ey)
        if step < _TOL_DEG:
            break
    return gx, gy


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """WGS84 → GCJ-02 by the standard published formula (identity outside China)."""
    x, y, scalar = _prepare(lon, lat)
    return _finish(*_wgs_to_gcj(x, y), scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """GCJ-02 → WGS84, iterative inverse of :func:`wgs84_to_gcj02` (error < 0.01 m)."""
    x, y, scalar = _prepare(lon, lat)
    return _finish(*_gcj_to_wgs(x, y), scalar)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """GCJ-02 → BD-09 (Baidu's published forward formula)."""
    x, y, scalar = _prepare(lon, lat)
    return _finish(*_gcj_to_bd(x, y), scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """BD-09 → GCJ-02, the closed form refined to be the exact inverse of the forward formula."""
    x, y, scalar = _prepare(lon, lat)
    return _finish(*_bd_to_gcj(x, y), scalar)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """WGS84 → BD-09 (via GCJ-02)."""
    x, y, scalar = _prepare(lon, lat)
    return _finish(*_gcj_to_bd(*_wgs_to_gcj(x, y)), scalar)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """BD-09 → WGS84 (via GCJ-02, both steps iterative inverses)."""
    x, y, scalar = _prepare(lon, lat)
    return _finish(*_gcj_to_wgs(*_bd_to_gcj(x, y)), scalar)
