-- Each section valid at :as_of: validity, emptiness, area, and the area lying outside its park
-- (all of it when the park is missing at that instant).
-- {valid_at} is boundaries.store.VALID_AT (alias t); every value is bound.
WITH parks_at AS (
    SELECT
        t.code,
        CASE
            WHEN ST_IsValid(t.geom) THEN t.geom
            ELSE ST_CollectionExtract(ST_MakeValid(t.geom), 3)
        END AS geom
    FROM parks AS t
    WHERE {valid_at}
),
sections_at AS (
    SELECT
        t.code,
        t.seq,
        t.park,
        t.name,
        t.geom AS raw,
        ST_IsValid(t.geom) AS valid,
        CASE
            WHEN ST_IsValid(t.geom) THEN t.geom
            ELSE ST_CollectionExtract(ST_MakeValid(t.geom), 3)
        END AS geom
    FROM park_sections AS t
    WHERE {valid_at}
)
SELECT
    s.code,
    s.park,
    s.name,
    s.valid,
    CASE WHEN s.valid THEN NULL ELSE ST_IsValidReason(s.raw) END AS reason,
    ST_IsEmpty(s.raw) AS empty,
    p.code IS NOT NULL AS park_found,
    ST_Area(s.geom::geography, true) / 1e6 AS area_km2,
    CASE
        WHEN p.code IS NULL THEN ST_Area(s.geom::geography, true) / 1e6
        ELSE ST_Area(
            ST_CollectionExtract(ST_Difference(s.geom, p.geom), 3)::geography, true
        ) / 1e6
    END AS outside_km2
FROM sections_at AS s
LEFT JOIN parks_at AS p ON p.code = s.park
ORDER BY s.park, s.seq, s.code
