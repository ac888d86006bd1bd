"""Colours, labels and symbols shared by the interactive maps and the print figures.

One palette for both, so a planner sees the same colour for 原空间范围 on screen and on paper.
"""

from __future__ import annotations

from typing import Final

TIER_COLORS: Final[dict[str, str]] = {
    "原空间范围": "#1f78b4",
    "新增空间范围": "#ff7f00",
}

FAMILY_COLORS: Final[dict[str, str]] = {
    "equipment": "#1b9e77",
    "materials": "#7570b3",
    "chemicals": "#d95f02",
    "biopharma": "#e7298a",
}

#: radiation-point category -> (Chinese label, colour, Font Awesome icon name)
CATEGORY_STYLE: Final[dict[str, tuple[str, str, str]]] = {
    "enterprise": ("企业", "#2c7fb8", "industry"),
    "university": ("高校", "#31a354", "graduation-cap"),
    "hospital": ("医院", "#de2d26", "plus-square"),
    "research_institute": ("科研院所", "#756bb1", "flask"),
    "design_institute": ("设计院", "#636363", "pencil"),
}

SCHEMATIC_NOTE: Final[str] = "示意：园区边界为示意范围，非核准勘测边界"
