#!/usr/bin/env bash
# Builds the uploadable Cognigy extension: chatwoot-handover-<version>.tar.gz
set -euo pipefail
cd "$(dirname "$0")"

ESBUILD=node_modules/.bin/esbuild
[ -x "$ESBUILD" ] || { echo "build.sh: run 'npm ci' first" >&2; exit 1; }
VERSION=$(node -p "require('./package.json').version")
NAME=$(node -p "require('./package.json').name")
STAGE=.stage/package
TOOLS=.stage/tools
TARBALL="$NAME-$VERSION.tar.gz"

step() { printf '==> %s\n' "$*"; }

step "cleaning build/, dist/ and the staging folder"
rm -rf build dist "$STAGE" "$TOOLS" "$TARBALL"
mkdir -p "$STAGE/build" "$TOOLS"

step "bundling with esbuild (all runtime libraries inside, zero dependencies)"
# Three bundles, so that what Cognigy requires to read the descriptors stays small:
#   build/module.js          the descriptors (what package.json's main points at)
#   build/node-functions.js  the nodes' code, loaded on the first node execution
#   build/axios.js           axios with form-data and mime-db, loaded on the first HTTP request
BUNDLE=(--bundle --platform=node --target=node18 --format=cjs --minify --keep-names --legal-comments=linked
  --log-level=warning --supported:dynamic-import=false --external:./axios --external:./node-functions)
"$ESBUILD" src/vendor/axios.ts "${BUNDLE[@]}" --outfile=build/axios.js
"$ESBUILD" src/node-functions.ts "${BUNDLE[@]}" --outfile=build/node-functions.js
"$ESBUILD" src/module.ts "${BUNDLE[@]}" --outfile=build/module.js

step "rendering the 64x64 icon.png from icons/"
"$ESBUILD" scripts/write-icon.ts --bundle --platform=node --log-level=warning --outfile="$TOOLS/write-icon.js"
node "$TOOLS/write-icon.js" icon.png

step "writing package.json and package-lock.json without dependencies"
"$ESBUILD" scripts/write-manifest.ts --bundle --platform=node --log-level=warning --outfile="$TOOLS/write-manifest.js"
node "$TOOLS/write-manifest.js" . "$STAGE"

step "packing $TARBALL"
cp build/* "$STAGE/build/"
cp README.md icon.png "$STAGE/"
tar -czf "$TARBALL" -C "$STAGE" build package.json package-lock.json README.md icon.png

step "bundling the webhook relay into dist/relay.js (npm run relay starts it)"
"$ESBUILD" src/relay/relay-main.ts --bundle --platform=node --target=node20 --packages=external --log-level=warning --outfile=dist/relay.js

step "done: $TARBALL ($(wc -c < "$TARBALL") bytes)"
tar -tzvf "$TARBALL" | awk '{ printf "    %8s  %s\n", $3, $6 }'
