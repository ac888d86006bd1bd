#!/usr/bin/env bash
# Vendor the browser assets the interactive maps need into maps/assets/.
#
# Why: Folium loads Leaflet, jQuery, Bootstrap, awesome-markers, Font Awesome and the plugins
# from CDNs, which an intranet cannot reach. We ship exact copies from the npm registry instead.
# Each tarball is fetched with `npm pack name@version` and checked against the pinned sha512
# integrity below, so a rerun gives byte-identical files. Only the dist files the maps load
# (plus the images/fonts their CSS refers to, and each licence) are kept, at their original
# path inside the package so relative url(...) references in the CSS keep working.
#
# Usage: scripts/vendor_assets.sh            (from the repo root; needs npm and network to npm)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/maps/assets"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# dir | npm spec | sha512 integrity | licence | files kept (relative to the package root)
PACKAGES=(
  "leaflet|leaflet@1.9.4|sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==|BSD-2-Clause|LICENSE dist/leaflet.js dist/leaflet.css dist/images/layers.png dist/images/layers-2x.png dist/images/marker-icon.png dist/images/marker-icon-2x.png dist/images/marker-shadow.png"
  "jquery|jquery@3.7.1|sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==|MIT|LICENSE.txt dist/jquery.min.js"
  "bootstrap|bootstrap@5.2.2|sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==|MIT|LICENSE dist/js/bootstrap.bundle.min.js dist/css/bootstrap.min.css"
  "awesome-markers|leaflet.awesome-markers@2.0.5|sha512-Ne/xDjkGyaujwNVVkv2tyXQUV0ZW7gZ0Mo0FuQY4jp2qWrvXi0hwDBvmZyF/8YOvybyMabTMM/mFWCTd1jZIQA==|MIT|LICENSE dist/leaflet.awesome-markers.min.js dist/leaflet.awesome-markers.css dist/images/markers-soft.png dist/images/markers-soft@2x.png dist/images/markers-shadow.png dist/images/markers-shadow@2x.png"
  "fontawesome|@fortawesome/fontawesome-free@6.2.0|sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==|OFL-1.1 (fonts), MIT (CSS), CC-BY-4.0 (icons)|LICENSE.txt css/all.min.css webfonts/fa-solid-900.woff2 webfonts/fa-regular-400.woff2 webfonts/fa-brands-400.woff2 webfonts/fa-v4compatibility.woff2"
  "markercluster|leaflet.markercluster@1.5.3|sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==|MIT|MIT-LICENCE.txt dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css"
  "fullscreen|leaflet.fullscreen@3.0.0|sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==|MIT|LICENSE Control.FullScreen.js Control.FullScreen.css icon-fullscreen.svg"
  "measure|leaflet-measure@2.1.7|sha512-IvoHIoVTIQSXUgaNnAMF17qXFB+dF5ICdwmY8BHyq/Hh33/xeGqQUUYlz0pRMzFN9NUcjsT6JBhCr1ia0CG5ug==|MIT|LICENSE dist/leaflet-measure.min.js dist/leaflet-measure.css dist/images/rulers.png dist/images/rulers_@2X.png dist/images/start.png dist/images/start_@2X.png dist/images/cancel.png dist/images/cancel_@2X.png dist/images/check.png dist/images/check_@2X.png dist/images/focus.png dist/images/focus_@2X.png dist/images/trash.png dist/images/trash_@2X.png"
  "minimap|leaflet-minimap@3.6.1|sha512-6px8f6cfv1rKB6ACpL6bbUFGxipZOq4KsntJgBj9nOcW1RYa5+xFp8emOZwks9X+VtVVsQEwWwfgT1kTTL/LzA==|BSD-2-Clause|LICENSE.txt dist/Control.MiniMap.min.js dist/Control.MiniMap.min.css dist/images/toggle.svg dist/images/toggle.png"
  "search|leaflet-search@2.9.7|sha512-v7CxEbXyQXqLFjSkTpvM5i1cvmrcPOos57UmTnR94qqvVZykXyz/0SKEs3cbkFHjyrmMQ3Yk2Q5W6PvyuiSuPg==|MIT|license.txt dist/leaflet-search.min.js dist/leaflet-search.min.css images/search-icon.png images/loader.gif"
)

for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r dir spec integrity _licence files <<<"$entry"
  echo "vendoring $spec -> maps/assets/$dir" >&2
  got="$(cd "$WORK" && npm pack --silent --json "$spec" | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["integrity"], d["filename"])')"
  read -r got_integrity tarball <<<"$got"
  if [[ "$got_integrity" != "$integrity" ]]; then
    echo "integrity mismatch for $spec: got $got_integrity, pinned $integrity" >&2
    exit 1
  fi
  unpack="$WORK/$dir"
  mkdir -p "$unpack"
  tar -xzf "$WORK/$tarball" -C "$unpack" --no-same-owner --warning=no-unknown-keyword
  rm -rf "${DEST:?}/$dir"
  for f in $files; do
    mkdir -p "$DEST/$dir/$(dirname "$f")"
    cp "$unpack/package/$f" "$DEST/$dir/$f"
  done
done

du -sh "$DEST" >&2
