-- A GeoJSON FeatureCollection of one versioned table, built inside PostGIS.
-- {table}, {extra_properties} and {valid_at} are substituted from fixed lists in boundaries/store.py;
-- every value is bound.
-- :as_of NULL means the current versions; otherwise the versions valid at that instant.
-- The families parameter maps industry terms to family codes (boundaries/industries.py).
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(feature ORDER BY seq, code), '[]'::json)
)::text
FROM (
    SELECT
        t.seq,
        t.code,
        json_build_object(
            'type', 'Feature',
            'id', t.code,
            'geometry', ST_AsGeoJSON(t.geom, 7, 0)::json,
            'properties', to_jsonb(t) - 'geom' - 'id' || {extra_properties}
        ) AS feature
    FROM {table} AS t
    WHERE (CAST(:code AS text) IS NULL OR t.code = CAST(:code AS text))
      AND {valid_at}
) AS features
