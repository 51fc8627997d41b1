#!/usr/bin/env bash
# Packs the package and runs the tarball the way a user would (`npx ./plex-diagnose-*.tgz`), from a scratch folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tarball=$(cd "$root" && npm pack --silent --pack-destination "$scratch" | tail -n 1)
cd "$scratch"
# A relative path: npx executes an absolute tarball path as a command (toolchain.md §4).
version=$(npx -y "./$tarball" --version)
expected=$(node -p "require('$root/package.json').version")
[ "$version" = "$expected" ] || { echo "packed CLI printed '$version', expected '$expected'" >&2; exit 1; }
# The default demo is a broken setup: exit 1 (problems found) is the expected outcome, and it must name the cause.
status=0
npx -y "./$tarball" demo --no-color >"$scratch/demo.txt" || status=$?
[ "$status" -eq 1 ] || { echo "packed demo exited $status, expected 1"; cat "$scratch/demo.txt"; exit 1; }
grep -q "isp-blocks-port" "$scratch/demo.txt" || { echo "packed demo did not name the root cause"; cat "$scratch/demo.txt"; exit 1; }
echo "packed tarball OK: $tarball ($version)"
