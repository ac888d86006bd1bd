"""Time to build and render each interactive map from the bundled data (target: < 1 s each).

Prints one line per map and output mode; run with `.venv/bin/python benchmarks/bench_maps.py`.
Not a timed test: the figures depend on the machine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from boundaries.frames import bundled_frames
from maps.interactive import industry_map, layout_map, render_html

REPEATS = 5
TARGET_S = 1.0


def _time(build: Callable[[], object], standalone: bool) -> tuple[float, int]:
    runs, size = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        html = render_html(build(), standalone=standalone)
        runs.append(time.perf_counter() - start)
        size = len(html.encode("utf-8"))
    return statistics.median(runs), size


def main() -> None:
    frames = bundled_frames()
    builders = {
        "layout": lambda: layout_map(frames, basemap="osm", locate_url="/locate"),
        "industry": lambda: industry_map(frames, basemap="osm"),
        "layout (amap, GCJ-02 shift)": lambda: layout_map(frames, basemap="amap"),
    }
    for name, build in builders.items():
        for standalone in (False, True):
            seconds, size = _time(build, standalone)
            mode = "standalone" if standalone else "linked"
            verdict = "ok" if seconds < TARGET_S else "SLOW"
            print(
                f"{name:<28} {mode:<10} build+render {seconds * 1000:7.1f} ms "
                f"(median of {REPEATS}; target < {TARGET_S:.0f} s: {verdict})  "
                f"html {size / 1e6:.2f} MB"
            )


if __name__ == "__main__":
    main()
