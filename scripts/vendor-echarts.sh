#!/bin/sh
# Re-fetch the pinned Apache ECharts from the npm registry and check it, so that the file the
# app serves (government intranets have no CDN) is exactly the published one.
set -eu
VERSION=5.6.0
SHA256=bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1
HERE=$(cd "$(dirname "$0")/.." && pwd)
TARGET="$HERE/taizhang/core/static/vendor/echarts"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack "echarts@$VERSION" >/dev/null && tar xzf "echarts-$VERSION.tgz")
echo "$SHA256  $WORK/package/dist/echarts.min.js" | sha256sum -c -
mkdir -p "$TARGET"
cp "$WORK/package/dist/echarts.min.js" "$WORK/package/LICENSE" "$TARGET/"
[ -f "$WORK/package/NOTICE" ] && cp "$WORK/package/NOTICE" "$TARGET/"
echo "echarts $VERSION → $TARGET"
