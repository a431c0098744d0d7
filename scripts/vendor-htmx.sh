#!/usr/bin/env bash
# Refresh the vendored htmx from the npm registry. Usage: scripts/vendor-htmx.sh [VERSION]
set -euo pipefail
version="${1:-2.0.11}"
dest="$(cd "$(dirname "$0")/.." && pwd)/static/vendor/htmx"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "htmx.org@${version}" >/dev/null && tar xzf "htmx.org-${version}.tgz")
mkdir -p "$dest"
cp "$tmp/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
printf 'htmx.org %s from the npm registry (package htmx.org), file dist/htmx.min.js.\nLicence: Zero-Clause BSD (0BSD), see LICENSE. Refresh with scripts/vendor-htmx.sh.\n' "$version" > "$dest/VERSION"
echo "htmx $version vendored into $dest"
