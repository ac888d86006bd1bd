"""Leading-industry terms of the seed (附件1) and the families planners group them into.

The seed names thirteen industries; plans and maps talk about four families. Keeping the
mapping here means the industry map, the industry figure and the API filters agree.
"""

from __future__ import annotations

from typing import Final

#: family code -> Chinese label, in legend order.
FAMILIES: Final[dict[str, str]] = {
    "equipment": "装备制造类",
    "materials": "新材料类",
    "chemicals": "化工类",
    "biopharma": "生物医药类",
}

#: seed term -> family code. Every term used in the register must appear here.
INDUSTRY_FAMILY: Final[dict[str, str]] = {
    "装备制造": "equipment",
    "新能源装备": "equipment",
    "电气装备": "equipment",
    "高端装备制造": "equipment",
    "尼龙新材料": "materials",
    "特种丝": "materials",
    "新型建材": "materials",
    "不锈钢": "materials",
    "碳基新材料": "materials",
    "化工": "chemicals",
    "煤化工": "chemicals",
    "医药": "biopharma",
    "生物医药": "biopharma",
}


def family_of(industry: str) -> str:
    """Return the family code of a seed industry term.

    Raises ``KeyError`` naming the term, so a new term in the register is noticed at load
    time rather than silently dropped from the industry map.
    """
    try:
        return INDUSTRY_FAMILY[industry]
    except KeyError:
        known = "、".join(INDUSTRY_FAMILY)
        raise KeyError(f"unknown industry {industry!r}; known terms: {known}") from None


def families_of(industries: list[str]) -> list[str]:
    """Distinct family codes of a list of industries, in legend order."""
    wanted = {family_of(term) for term in industries}
    return [code for code in FAMILIES if code in wanted]
