-- One Mapbox Vector Tile (WebMercatorQuad z/x/y) of the CURRENT features of one table.
-- {table} and {properties} are substituted from fixed lists in boundaries/tiles.py; every
-- value is bound. The tile envelope (with a margin for the clipping buffer) is reprojected
-- to the storage CRS for the index filter; the geometries go to Web Mercator for encoding.
WITH bounds AS (
    SELECT
        ST_TileEnvelope(:z, :x, :y) AS tile,
        ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4490) AS query
), features AS (
    SELECT
        ST_AsMVTGeom(ST_Transform(t.geom, 3857), bounds.tile, :extent, :buffer, true) AS geom,
        {properties}
    FROM {table} AS t, bounds
    WHERE t.valid_to IS NULL
      AND t.geom && bounds.query
)
SELECT coalesce(ST_AsMVT(features.*, :layer, :extent, 'geom'), ''::bytea)
FROM features
WHERE features.geom IS NOT NULL
