-- For each park valid at :as_of that has sections: does the union of its sections make up
-- the park? uncovered = park minus the union, outside = union minus the park; their sum is
-- the area of the symmetric difference. sections_sum - union is what sections share.
-- {valid_at} is boundaries.store.VALID_AT (alias t); every value is bound.
WITH parks_at AS (
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
sections_at AS (
    SELECT
        t.code,
        t.park,
        CASE
            WHEN ST_IsValid(t.geom) THEN t.geom
            ELSE ST_CollectionExtract(ST_MakeValid(t.geom), 3)
        END AS geom
    FROM park_sections AS t
    WHERE {valid_at}
),
grouped AS (
    SELECT
        s.park,
        array_agg(s.code ORDER BY s.code) AS sections,
        sum(ST_Area(s.geom::geography, true)) / 1e6 AS sections_sum_km2,
        ST_UnaryUnion(ST_Collect(s.geom)) AS geom
    FROM sections_at AS s
    GROUP BY s.park
)
SELECT
    p.code AS park,
    g.sections,
    ST_Area(p.geom::geography, true) / 1e6 AS park_km2,
    g.sections_sum_km2,
    ST_Area(g.geom::geography, true) / 1e6 AS sections_union_km2,
    ST_Area(ST_CollectionExtract(ST_Difference(p.geom, g.geom), 3)::geography, true) / 1e6
        AS uncovered_km2,
    ST_Area(ST_CollectionExtract(ST_Difference(g.geom, p.geom), 3)::geography, true) / 1e6
        AS outside_km2
FROM grouped AS g
JOIN parks_at AS p ON p.code = g.park
ORDER BY p.seq, p.code
