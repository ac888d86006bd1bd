"""Benchmark the map layers (OGC API items and vector tiles) against tipg on the same rows.

Run: ``.venv/bin/python benchmarks/bench_layers.py [--requests 400] [--concurrency 8]
[--tipg-python /path/to/python]``

One throwaway PostGIS (migrated, bundled data loaded); tipg serves views of the CURRENT rows
(``valid_to IS NULL``) in a schema of their own, parkgeo its own tables. Both run as one
uvicorn process on loopback; the same threaded keep-alive client sends the same bounded
number of requests to each, after a warm-up, and checks they answer the same features.
tipg is not a parkgeo dependency: install it in any interpreter (``uv pip install tipg
uvicorn``) and pass that interpreter with ``--tipg-python`` (default: this one).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mapbox_vector_tile  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from boundaries.embedded import EmbeddedCluster, free_port  # noqa: E402
from boundaries.loader import migrate_and_load  # noqa: E402

SCHEMA = "tipg_bench"
TABLES = ("parks", "park_sections", "radiation_points")

_PARKGEO = """
import sys
import uvicorn
from sqlalchemy.engine import make_url
from service.app import create_app
from service.settings import Settings
settings = Settings(_env_file=None, database_url=sys.argv[1])
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _database(root: Path) -> tuple[EmbeddedCluster, str]:
    cluster = EmbeddedCluster(root, port=free_port(), fsync=False)
    cluster.up()
    url = cluster.url()
    engine = create_engine(url)
    try:
        migrate_and_load(engine)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
            for table in TABLES:
                columns = ", ".join(
                    name
                    for (name,) in conn.execute(
                        text(
                            "SELECT column_name FROM information_schema.columns "
                            "WHERE table_schema = 'public' AND table_name = :t "
                            "AND column_name NOT IN ('valid_to', 'changed_by', 'change_note') "
                            "ORDER BY ordinal_position"
                        ),
                        {"t": table},
                    )
                )
                conn.execute(
                    text(
                        f"CREATE VIEW {SCHEMA}.{table} AS SELECT {columns} "
                        f"FROM public.{table} WHERE valid_to IS NULL"
                    )
                )
    finally:
        engine.dispose()
    return cluster, url.render_as_string(hide_password=False)


@contextmanager
def _server(argv: list[str], port: int, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{argv[:3]} exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{argv[:3]} did not start") from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


def _get(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path, headers={"Accept": "application/geo+json, */*"})
    response = conn.getresponse()
    body = response.read()
    if response.status not in (200, 204):
        raise RuntimeError(f"GET {path} -> {response.status}: {body[:200]!r}")
    return body


def _fetch(port: int, path: str) -> bytes:
    """One GET on a fresh connection (uvicorn drops idle keep-alive ones after 5 s)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        return _get(conn, path)
    finally:
        conn.close()


def _load(port: int, paths: list[str], requests: int, concurrency: int) -> float:
    """Requests per second for ``requests`` GETs cycling through ``paths``."""
    counter = iter(range(requests))
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            _get(conn, paths[n % len(paths)])
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return requests / (time.perf_counter() - start)


def _tiles(west: float, south: float, east: float, north: float, z: int) -> list[tuple]:
    n = 2**z

    def tx(lon: float) -> int:
        return int((lon + 180) / 360 * n)

    def ty(lat: float) -> int:
        return int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

    return [
        (z, x, y) for x in range(tx(west), tx(east) + 1) for y in range(ty(north), ty(south) + 1)
    ]


def _codes_items(body: bytes) -> list[str]:
    return sorted(f["properties"]["code"] for f in json.loads(body)["features"])


def _codes_tile(body: bytes, layer: str) -> list[str]:
    decoded = mapbox_vector_tile.decode(body)
    features = next(iter(decoded.values()))["features"] if decoded else []
    return sorted(f["properties"]["code"] for f in features)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--tipg-python", default=sys.executable, help="interpreter with tipg")
    args = parser.parse_args()
    check = subprocess.run([args.tipg_python, "-c", "import tipg, uvicorn"], capture_output=True)
    if check.returncode != 0:
        sys.exit(f"tipg is not importable by {args.tipg_python}: uv pip install tipg uvicorn")

    root = Path(tempfile.mkdtemp(prefix="parkgeo-bench-"))
    root.chmod(0o755)
    cluster, url = _database(root)
    ours_port, tipg_port = free_port(), free_port()
    tipg_env = {
        "DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://"),
        "TIPG_DB_SCHEMAS": json.dumps([SCHEMA]),
        "TIPG_MAX_FEATURES_PER_QUERY": "1000",
    }
    tipg_argv = [args.tipg_python, "-m", "uvicorn", "tipg.main:app", "--host", "127.0.0.1",
                 "--port", str(tipg_port), "--log-level", "warning"]  # fmt: skip
    z12 = _tiles(112.87, 33.62, 113.45, 33.92, 12)
    scenarios = {
        "items radiation_points (34 points)": (
            ["/ogc/collections/radiation_points/items?limit=100"],
            [f"/collections/{SCHEMA}.radiation_points/items?limit=100"],
            _codes_items,
        ),
        "items parks (7 polygons)": (
            ["/ogc/collections/parks/items?limit=100"],
            [f"/collections/{SCHEMA}.parks/items?limit=100"],
            _codes_items,
        ),
        f"tiles parks z12 ({len(z12)} tiles)": (
            [f"/tiles/parks/{z}/{x}/{y}.mvt" for z, x, y in z12],
            [f"/collections/{SCHEMA}.parks/tiles/WebMercatorQuad/{z}/{x}/{y}" for z, x, y in z12],
            lambda body: _codes_tile(body, "parks"),
        ),
    }
    try:
        with (
            _server([sys.executable, "-c", _PARKGEO, url, str(ours_port)], ours_port, {}),
            _server(tipg_argv, tipg_port, tipg_env),
        ):
            print(f"{args.requests} requests per scenario, {args.concurrency} client threads")
            print(f"{'scenario':40} {'parkgeo req/s':>14} {'tipg req/s':>11} {'ratio':>7}")
            for name, (our_paths, their_paths, codes) in scenarios.items():
                for mine, other in zip(our_paths, their_paths, strict=True):  # warm up + check
                    # our tiles also carry features that only reach the clipping buffer
                    a, b = codes(_fetch(ours_port, mine)), codes(_fetch(tipg_port, other))
                    if not set(b) <= set(a) or (a != b and "tiles" not in name):
                        raise RuntimeError(f"{name}: {mine} gives {a}, tipg {b}")
                ours_rps = _load(ours_port, our_paths, args.requests, args.concurrency)
                tipg_rps = _load(tipg_port, their_paths, args.requests, args.concurrency)
                print(f"{name:40} {ours_rps:14.0f} {tipg_rps:11.0f} {ours_rps / tipg_rps:7.2f}")
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
