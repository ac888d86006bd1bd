"""Time each layout figure at 300 dpi on A4 landscape from the bundled data (target < 5 s).

Run: ``.venv/bin/python benchmarks/bench_figures.py``. Prints one line per figure and format;
the first render also pays for font lookup and imports, so it is reported separately.
"""

from __future__ import annotations

import statistics
import time

from boundaries.frames import bundled_frames
from maps.figures import render_figure

TARGET_S = 5.0
CASES = [("overview", None), ("industry", None), ("park", "baofeng"), ("park", "gaoxin")]


def main(repeat: int = 3) -> None:
    frames = bundled_frames()
    start = time.perf_counter()
    render_figure(frames, "park", code="gaoxin", dpi=72)
    print(f"warm-up (font lookup, imports): {time.perf_counter() - start:.2f} s")
    for fmt in ("png", "pdf", "svg"):
        for kind, code in CASES:
            times, size = [], 0
            for _ in range(repeat):
                start = time.perf_counter()
                size = len(render_figure(frames, kind, code=code, fmt=fmt, dpi=300))
                times.append(time.perf_counter() - start)
            best, median = min(times), statistics.median(times)
            verdict = "ok" if median < TARGET_S else "SLOW"
            name = f"{kind} {code or ''}".strip()
            print(
                f"{name:<16} {fmt}  A4 300 dpi  median {median:5.2f} s  best {best:5.2f} s  "
                f"{size / 1e6:5.2f} MB  [{verdict}, target < {TARGET_S:g} s]"
            )


if __name__ == "__main__":
    main()
