#!/usr/bin/env bash
# Fetch axe-core's axe.min.js (MPL-2.0) from the npm registry into .cache/test-vendor/ at the
# repository's root (or $SOP_TEST_VENDOR), where tests/browser/test_accessibility.py injects it
# into each page. Only the tests use it: not kept in git, not served by the app.
# Pinned by version and by the tarball's sha512 integrity as the registry publishes it
# (`npm view axe-core@VERSION dist.integrity`); does nothing when the file is already there.
# When npm or the registry is unavailable it says so and exits 0: the accessibility tests are
# then skipped with that reason (tests/support/groups.py, AXE).
set -euo pipefail
VERSION=4.14.1
INTEGRITY=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${SOP_TEST_VENDOR:-$root/.cache/test-vendor}"
dest="$dir/axe.min.js"
stamp="$dir/axe.version"
if [ -f "$dest" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$VERSION $INTEGRITY" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "axe: npm not found; not fetching axe.min.js (the accessibility tests are skipped)"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack --silent "axe-core@$VERSION" >/dev/null 2>"$tmp/npm.log"); then
  echo "axe: npm pack axe-core@$VERSION failed; the accessibility tests are skipped"
  cat "$tmp/npm.log" >&2 || true
  exit 0
fi
tarball="$tmp/axe-core-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "axe: axe-core-$VERSION.tgz does not have the pinned sha512 integrity; not installed" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp" package/axe.min.js package/LICENSE
mkdir -p "$dir"
if [ -z "${SOP_TEST_VENDOR:-}" ] && [ ! -f "$root/.cache/.gitignore" ]; then
  echo "*" > "$root/.cache/.gitignore"  # a cache: never committed
fi
cp "$tmp/package/LICENSE" "$dir/axe.LICENSE"
mv "$tmp/package/axe.min.js" "$dest"
echo "$VERSION $INTEGRITY" > "$stamp"
echo "axe: installed axe.min.js $VERSION"
