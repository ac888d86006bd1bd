-- Each park valid at :as_of: validity (with the reason), emptiness, and its areas.
-- {valid_at} is boundaries.store.VALID_AT (alias t); every value is bound.
-- An invalid geometry is measured after ST_MakeValid (polygonal parts only), so a bad ring
-- is reported instead of breaking the sums. The stored geometry itself is returned too, for
-- the independent Python measurement.
WITH p AS (
    SELECT
        t.code,
        t.seq,
        t.name,
        t.short_name,
        t.tier,
        t.declared_area_km2,
        t.geometry_source,
        t.geom,
        ST_IsValid(t.geom) AS valid,
        CASE
            WHEN ST_IsValid(t.geom) THEN t.geom
            ELSE ST_CollectionExtract(ST_MakeValid(t.geom), 3)
        END AS vgeom
    FROM parks AS t
    WHERE {valid_at}
)
SELECT
    code,
    seq,
    name,
    short_name,
    tier,
    declared_area_km2::float8 AS declared_km2,
    geometry_source,
    valid,
    CASE WHEN valid THEN NULL ELSE ST_IsValidReason(geom) END AS reason,
    ST_IsEmpty(geom) AS empty,
    ST_Area(vgeom::geography, true) / 1e6 AS measured_km2,
    ST_Area(ST_Transform(vgeom, {planar_srid})) / 1e6 AS planar_km2,
    ST_AsBinary(geom) AS wkb
FROM p
ORDER BY seq, code
