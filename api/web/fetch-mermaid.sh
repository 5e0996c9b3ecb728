#!/usr/bin/env bash
# Fetch mermaid.min.js (MIT licence) from the npm registry into .cache/web-vendor/ at the
# repository's root (or $SOP_WEB_VENDOR), where the app serves it at /web/vendor/ (api/web/
# vendor.py). Not kept in git: the single minified file of mermaid 11 is 3.57 MB, over the
# 3.5 MB the project allows for a vendored file; and not under api/, which holds no
# third-party code.
# Pinned by version and sha256; does nothing when the right file is already there. When npm
# or the registry is unavailable it says so and exits 0: the page then shows the diagram's
# text, and the browser test of the diagram is skipped with that reason.
set -euo pipefail
VERSION=11.17.2
SHA256=581ed7d74bd9048d0e3a91363927d72ef22942d7722546b27f7cc29e35390eb8
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${SOP_WEB_VENDOR:-$root/.cache/web-vendor}/mermaid.min.js"
if [ -f "$dest" ] && echo "$SHA256  $dest" | sha256sum -c --status; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "mermaid: npm not found; not fetching mermaid.min.js (the flow diagram shows as text)"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack --silent "mermaid@$VERSION" >/dev/null 2>"$tmp/npm.log"); then
  echo "mermaid: npm pack mermaid@$VERSION failed; the flow diagram shows as text"
  cat "$tmp/npm.log" >&2 || true
  exit 0
fi
tar -xzf "$tmp/mermaid-$VERSION.tgz" -C "$tmp" package/dist/mermaid.min.js package/LICENSE
echo "$SHA256  $tmp/package/dist/mermaid.min.js" | sha256sum -c --status || {
  echo "mermaid: the downloaded mermaid.min.js does not have the pinned sha256; not installed" >&2
  exit 1
}
mkdir -p "$(dirname "$dest")"
if [ -z "${SOP_WEB_VENDOR:-}" ] && [ ! -f "$root/.cache/.gitignore" ]; then
  echo "*" > "$root/.cache/.gitignore"  # a cache: never committed
fi
cp "$tmp/package/LICENSE" "$(dirname "$dest")/mermaid.LICENSE"
mv "$tmp/package/dist/mermaid.min.js" "$dest"
echo "mermaid: installed mermaid.min.js $VERSION"
