-- Pairs of parks valid at :as_of whose areas overlap by more than :min_km2 (shared borders
-- intersect in lines of zero area; the threshold only absorbs floating-point noise).
-- {valid_at} is boundaries.store.VALID_AT (alias t); every value is bound.
WITH p AS (
    SELECT
        t.code,
        t.seq,
        CASE
            WHEN ST_IsValid(t.geom) THEN t.geom
            ELSE ST_CollectionExtract(ST_MakeValid(t.geom), 3)
        END AS geom
    FROM parks AS t
    WHERE {valid_at}
),
pairs AS (
    SELECT
        a.code AS a,
        b.code AS b,
        a.seq AS a_seq,
        b.seq AS b_seq,
        ST_Area(
            ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)::geography, true
        ) / 1e6 AS overlap_km2
    FROM p AS a
    JOIN p AS b
        ON (a.seq, a.code) < (b.seq, b.code)
        AND ST_Intersects(a.geom, b.geom)
)
SELECT a, b, overlap_km2
FROM pairs
WHERE overlap_km2 > :min_km2
ORDER BY a_seq, b_seq, a, b
