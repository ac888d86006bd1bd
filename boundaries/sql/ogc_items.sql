-- One page of the CURRENT features (valid_to IS NULL) of one versioned table, as GeoJSON
-- Feature texts built by PostGIS, with how many features the filters matched.
-- {table}, {geometry}, {properties} and {where} are substituted from fixed lists in
-- boundaries/ogc.py; every value (:limit, :offset, bbox corners, filter values) is bound.
WITH matched AS (
    SELECT t.*
    FROM {table} AS t
    WHERE t.valid_to IS NULL
      AND {where}
), page AS (
    SELECT
        t.seq,
        t.code,
        json_build_object(
            'type', 'Feature',
            'id', t.code,
            'geometry', ST_AsGeoJSON({geometry}, 7, 0)::json,
            'properties', {properties}
        ) AS feature
    FROM matched AS t
    ORDER BY t.seq, t.code
    LIMIT :limit OFFSET :offset
)
SELECT
    (SELECT count(*) FROM matched) AS matched,
    (SELECT count(*) FROM page) AS returned,
    coalesce((SELECT json_agg(feature ORDER BY seq, code) FROM page), '[]'::json)::text AS features
