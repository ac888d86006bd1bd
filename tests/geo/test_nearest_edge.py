"""NearestEdge gives the same distances as ParkLocator's STRtree, much faster."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from geo.locate import ParkLocator
from geo.nearest_edge import NearestEdge
from tests.geo.test_locate import REGIONS


def test_same_distances_and_owner_as_the_locator() -> None:
    locator = ParkLocator(REGIONS)
    edges = NearestEdge(locator._park_geoms, cell_m=300, margin_m=5_000)
    rng = np.random.default_rng(7)
    west, south, east, north = locator.bounds
    # Points inside, near and far (beyond the grid margin: the STRtree fallback).
    lon = rng.uniform(west - 0.2, east + 0.2, 6_000)
    lat = rng.uniform(south - 0.2, north + 0.2, 6_000)
    lon[:3], lat[:3] = [np.nan, 113.26, 113.2], [33.6, 33.62, 33.6]
    ref = locator.locate(lon, lat, distances=True)
    dist, owner = edges.nearest(lon, lat)
    assert np.isnan(dist[0]) and owner[0] == -1
    np.testing.assert_allclose(dist[1:], np.abs(ref.distance_m[1:]), atol=1e-6)
    codes = np.array(locator.park_codes, dtype=object)[owner[1:]]
    outside = ~ref.inside[1:]
    agree = codes[outside] == ref.nearest_park[1:][outside]
    assert agree.mean() > 0.999  # only exact ties may differ


def test_small_batches_use_the_tree() -> None:
    locator = ParkLocator(REGIONS)
    edges = NearestEdge(locator._park_geoms)
    dist, owner = edges.nearest([113.25], [33.64])
    ref = locator.locate([113.25], [33.64], distances=True)
    assert abs(dist[0] - ref.distance_m[0]) < 1e-6
    assert locator.park_codes[owner[0]] == "A"


def test_threaded_batches_and_concurrent_callers_agree(monkeypatch) -> None:
    """Split batches and callers racing to build the cell lists give the single-thread answer."""
    import geo.nearest_edge as module

    locator = ParkLocator(REGIONS)
    rng = np.random.default_rng(11)
    west, south, east, north = locator.bounds
    lon = rng.uniform(west - 0.05, east + 0.05, 20_000)
    lat = rng.uniform(south - 0.05, north + 0.05, 20_000)
    serial = NearestEdge(locator._park_geoms).nearest(lon, lat)

    monkeypatch.setattr(module, "_PARALLEL", 5_000)
    monkeypatch.setattr(module, "_THREADS", 3)
    fresh = NearestEdge(locator._park_geoms)  # no cell built yet: the callers race
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda _: fresh.nearest(lon, lat), range(4)))
    for dist, owner in runs:
        np.testing.assert_array_equal(dist, serial[0])
        np.testing.assert_array_equal(owner, serial[1])


def test_pruned_lists_keep_every_possible_nearest_segment() -> None:
    """The convexity pruning drops only segments that lose everywhere in their cell: the grid
    agrees with a brute-force distance to every segment."""
    locator = ParkLocator(REGIONS)
    edges = NearestEdge(locator._park_geoms, cell_m=300, margin_m=2_000)
    rng = np.random.default_rng(12)
    west, south, east, north = locator.bounds
    lon = rng.uniform(west, east, 4_000)
    lat = rng.uniform(south, north, 4_000)
    dist, _ = edges.nearest(lon, lat)
    px, py = edges._to_local.transform(lon, lat)
    brute = np.sqrt(edges._dist2(px[:, None], py[:, None], slice(None)).min(axis=1))
    np.testing.assert_allclose(dist, brute, rtol=0, atol=1e-9)
