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
# The default demo simulates a broken setup: a demo that ran as intended exits 0 and says on stderr what a real run
# with that report would exit with; its report must name the cause.
status=0
npx -y "./$tarball" demo --no-color >"$scratch/demo.txt" 2>"$scratch/demo.err" || status=$?
[ "$status" -eq 0 ] || { echo "packed demo exited $status, expected 0"; cat "$scratch/demo.txt" "$scratch/demo.err"; exit 1; }
grep -q "a real run with this report would exit 1" "$scratch/demo.err" || { echo "packed demo did not say what a real run exits"; cat "$scratch/demo.err"; exit 1; }
grep -q "isp-blocks-port" "$scratch/demo.txt" || { echo "packed demo did not name the root cause"; cat "$scratch/demo.txt"; exit 1; }
# A user's project with the tarball installed: every entry point of "exports" loads with ESM import and CJS require.
mkdir "$scratch/project"
cd "$scratch/project"
printf '{ "name": "smoke", "private": true }\n' >package.json
# --ignore-scripts: loading the entry points needs no native build (npx above already ran the install scripts).
npm install --silent --no-audit --no-fund --ignore-scripts --prefer-offline "../$tarball" >/dev/null
# The entry points are read from the installed package.json, so a subpath added there is checked here too.
specs='Object.keys(require("plex-diagnose/package.json").exports).filter((k) => k !== "./package.json").map((k) => "plex-diagnose" + k.slice(1))'
node --input-type=commonjs -e "for (const spec of $specs) if (!Object.keys(require(spec)).length) throw new Error(spec + ': empty');
console.log('require: every entry point loads')"
node --input-type=module -e "import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/');
for (const spec of $specs) if (!Object.keys(await import(spec)).length) throw new Error(spec + ': empty');
console.log('import: every entry point loads')"
! tar -tzf "$scratch/$tarball" | grep -q '\.map$' || { echo "the tarball ships source maps"; exit 1; }
echo "packed tarball OK: $tarball ($version)"
