"""Bounded load test on loopback: wrk against `parkgeo serve --workers 2`.

    .venv/bin/python benchmarks/load_test.py [--seconds 10] [--connections 32]

Starts a throwaway embedded PostGIS (or uses PARKGEO_DATABASE_URL), loads the bundled data,
serves the API with two uvicorn workers on a free 127.0.0.1 port, and runs wrk for a fixed
time per endpoint. Traffic never leaves this machine. Prints requests/s, p50/p99 latency and
errors; the target for /locate is >= 2,000 req/s with p99 < 50 ms and no errors.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from boundaries.embedded import EmbeddedCluster, free_port  # noqa: E402

# Random points over the parks' extent, so the index answers inside, outside and near edges.
LOCATE_LUA = """
math.randomseed(42)
request = function()
  local lon = 112.85 + math.random() * 0.60
  local lat = 33.55 + math.random() * 0.40
  return wrk.format("GET", string.format("/locate?lon=%.6f&lat=%.6f&crs=wgs84", lon, lat))
end
"""

TARGETS = {
    "/locate (random points)": ("/locate", LOCATE_LUA),
    "/ogc/collections/parks/items": ("/ogc/collections/parks/items?f=json", None),
    "/parks": ("/parks", None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make load does it)")

    cluster = None
    env = dict(os.environ)
    if not env.get("PARKGEO_DATABASE_URL"):
        root = Path(tempfile.mkdtemp(prefix="parkgeo-load-"))
        cluster = EmbeddedCluster(root, port=free_port(), fsync=False)
        cluster.up()
        env["PARKGEO_DATABASE_URL"] = cluster.url().render_as_string(hide_password=False)
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the server)
    env["PARKGEO_LOG_LEVEL"] = "WARNING"
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/parkgeo"), "serve", "--port", str(port),
         "--workers", str(args.workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        if not _wait_for(base + "/health") or not _all_listening(port, args.workers):
            log.seek(0)
            sys.exit(f"server did not become healthy:\n{log.read().decode()[-3000:]}")
        print(f"parkgeo with {args.workers} workers, wrk {args.connections} connections, "
              f"{args.seconds} s per endpoint, on loopback\n")  # fmt: skip
        print(f"{'endpoint':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for label, (path, lua) in TARGETS.items():
            row = _wrk(base, path, lua, args.seconds, args.connections)
            print(f"{label:34} {row['rps']:9.0f} {row['p50']:8.1f} {row['p99']:8.1f} "
                  f"{row['errors']:7d}")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=20)
        if cluster is not None:
            cluster.destroy()


def _wait_for(url: str, timeout_s: float = 60) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def _all_listening(port: int, workers: int, timeout_s: float = 60) -> bool:
    """Wait until every worker listens (each has its own socket, after its startup).

    /health answers as soon as one worker is up; wrk's keep-alive connections opened then
    would all stay on that worker for the whole run. Reads /proc/net/tcp (Linux).
    """
    suffix = f":{port:04X}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with open("/proc/net/tcp") as table:
            rows = [line.split() for line in table.readlines()[1:]]
        if sum(1 for row in rows if row[1].endswith(suffix) and row[3] == "0A") >= workers:
            return True
        time.sleep(0.3)
    return False


def _wrk(base: str, path: str, lua: str | None, seconds: int, connections: int) -> dict:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua or "")
    if lua:
        argv += ["-s", script.name]
    output = subprocess.run([*argv, base + path], capture_output=True, text=True).stdout
    os.unlink(script.name)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)  # fmt: skip
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "errors": errors,
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


if __name__ == "__main__":
    main()
