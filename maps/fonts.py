"""Find a CJK font for matplotlib, so Chinese labels never come out as boxes.

matplotlib's default DejaVu Sans has no Chinese glyphs: it draws tofu and only warns
("Glyph … missing"). We pick a CJK family by *name* (pointing at the ``.ttc`` file selects the
Japanese face of Noto CJK), refresh a stale font cache once if the font was installed after
the cache was written, and otherwise fail loudly with the fix.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import matplotlib as mpl
from matplotlib import font_manager

from geo.errors import DependencyMissing

log = logging.getLogger(__name__)

#: Families tried in order. Simplified-Chinese faces first: the SC variant draws 门/骨/直 the way
#: mainland readers expect.
CJK_FAMILIES: Final[tuple[str, ...]] = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)

_lock = threading.Lock()
_found: dict[tuple[str, ...], str] = {}


def cjk_family(families: Sequence[str] = CJK_FAMILIES) -> str:
    """Return the first installed family of ``families``.

    Refreshes matplotlib's font list once when none is known (the cache predates the font
    install); raises ``DependencyMissing`` naming the families and the fix if still none.
    """
    key = tuple(families)
    with _lock:
        if key in _found:
            return _found[key]
        family = _first_known(key)
        if family is None:
            log.info("no CJK font among %s in matplotlib's font list; refreshing it", key)
            _refresh_font_list()
            family = _first_known(key)
        if family is None:
            raise DependencyMissing(
                "no CJK font found for figures (looked for: "
                + ", ".join(key)
                + "). Run `make setup` or `apt-get install fonts-noto-cjk`, "
                "then retry; Chinese labels would otherwise print as empty boxes."
            )
        log.debug("figures use CJK font %r", family)
        _found[key] = family
        return family


def cjk_rc(families: Sequence[str] = CJK_FAMILIES) -> dict[str, Any]:
    """rcParams that make matplotlib write Chinese with the found CJK family."""
    family = cjk_family(families)
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        # U+2212 is missing from some CJK fonts; an ASCII hyphen always exists.
        "axes.unicode_minus": False,
        # Type 42 embeds real glyphs with a ToUnicode map, so pdftotext and copy-paste
        # give back the Chinese text instead of Type 3 drawings.
        "pdf.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "parkgeo",
    }


@contextmanager
def cjk_context(families: Sequence[str] = CJK_FAMILIES) -> Iterator[str]:
    """Apply :func:`cjk_rc` inside an ``rc_context`` (never globally) and yield the family."""
    rc = cjk_rc(families)
    with mpl.rc_context(rc):
        yield rc["font.sans-serif"][0]


def _first_known(families: tuple[str, ...]) -> str | None:
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in families if family in known), None)


def _refresh_font_list() -> None:
    """Add system fonts installed after matplotlib built its cache, and rewrite the cache.

    Uses only public API (``findSystemFonts``, ``addfont``, ``json_dump``) instead of
    replacing the process-wide ``fontManager``.
    """
    manager = font_manager.fontManager
    known = {str(Path(entry.fname).resolve()) for entry in manager.ttflist}
    added = 0
    for path in font_manager.findSystemFonts():
        if str(Path(path).resolve()) in known:
            continue
        try:
            manager.addfont(path)
            added += 1
        except (OSError, RuntimeError, ValueError) as exc:
            log.debug("skipping unreadable font %s: %s", path, exc)
    if added:
        cache = Path(mpl.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
        font_manager.json_dump(manager, cache)
        log.info("added %d fonts to matplotlib's font list; rewrote %s", added, cache)
