#!/usr/bin/env bash
# Re-pin what the image builds pull (`make pin-images`), then review and commit the diff:
#   - the Dockerfile frontend (# syntax=docker/dockerfile:<tag>@sha256:...) and the base image
#     (ARG PYTHON_IMAGE=python:<tag>@sha256:...): each tag's current digest, read with
#     `docker buildx imagetools inspect` (the multi-platform index, so amd64 and arm64 builds
#     both verify against it);
#   - uv (uv==<version> --hash=sha256:...): the sha256 of its manylinux x86_64 and aarch64
#     wheels, downloaded from the package index pip is configured with.
#
#   deploy/pin-images.sh [--uv-version X.Y.Z]     (default: the version pinned today)
#
# Tags stay as they are (python:3.11-slim follows 3.11 patch releases and Debian security
# fixes): re-run this to take them in. To move to another tag, edit the tag before the @ in
# one Dockerfile's lines and run it: every Dockerfile gets the new pins.
set -euo pipefail

ROOT="${PIN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PYTHON="${PYTHON:-python3}"
DOCKERFILES=(
  services/extractor/Dockerfile
  services/transformer/Dockerfile
  services/cataloger/Dockerfile
  tools/fake_spotify/Dockerfile
)
UV_PLATFORMS=(manylinux_2_17_x86_64 manylinux_2_17_aarch64)
UV_VERSION=""

fail() { echo "pin-images.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --uv-version) UV_VERSION="${2:?--uv-version needs a version}"; shift 2 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown argument '$1' (see --help)" ;;
  esac
done

first="$ROOT/${DOCKERFILES[0]}"
current() { sed -n "$1" "$first" | head -n 1; }
FRONTEND_TAG="$(current 's|^# syntax=\([^@]*\)@sha256:.*|\1|p')"
PYTHON_TAG="$(current 's|^ARG PYTHON_IMAGE=\([^@]*\)@sha256:.*|\1|p')"
[ -n "$UV_VERSION" ] || UV_VERSION="$(current 's|.*uv==\([^ ]*\) --hash.*|\1|p')"
[ -n "$FRONTEND_TAG" ] && [ -n "$PYTHON_TAG" ] && [ -n "$UV_VERSION" ] ||
  fail "$first has no '# syntax=<tag>@sha256:', 'ARG PYTHON_IMAGE=<tag>@sha256:' or 'uv==<version> --hash' line"

digest_of() {
  local digest
  digest="$(docker buildx imagetools inspect "$1" --format '{{json .Manifest}}' |
    grep -o '"digest": *"sha256:[0-9a-f]\{64\}"' | head -n 1 | grep -o 'sha256:[0-9a-f]\{64\}')" ||
    fail "no digest for $1 (is docker buildx installed, and the registry reachable?)"
  printf '%s\n' "$digest"
}
FRONTEND_DIGEST="$(digest_of "$FRONTEND_TAG")"
PYTHON_DIGEST="$(digest_of "$PYTHON_TAG")"

wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
UV_HASHES=""
for platform in "${UV_PLATFORMS[@]}"; do
  mkdir "$wheels/$platform"
  "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --platform "$platform" --python-version 3.11 --dest "$wheels/$platform" "uv==$UV_VERSION" ||
    fail "cannot download uv $UV_VERSION for $platform"
  set -- "$wheels/$platform"/uv-*.whl
  [ $# = 1 ] && [ -f "$1" ] || fail "expected one uv wheel for $platform, found: $*"
  UV_HASHES="$UV_HASHES --hash=sha256:$(sha256sum "$1" | cut -d' ' -f1)"
done

for dockerfile in "${DOCKERFILES[@]}"; do
  sed -i \
    -e "s|^# syntax=.*@sha256:[0-9a-f]*$|# syntax=$FRONTEND_TAG@$FRONTEND_DIGEST|" \
    -e "s|^ARG PYTHON_IMAGE=.*@sha256:[0-9a-f]*$|ARG PYTHON_IMAGE=$PYTHON_TAG@$PYTHON_DIGEST|" \
    -e "s|uv==[^ ]*\( --hash=sha256:[0-9a-f]*\)*\"|uv==$UV_VERSION$UV_HASHES\"|" \
    "$ROOT/$dockerfile"
done
echo "pinned $FRONTEND_TAG@$FRONTEND_DIGEST, $PYTHON_TAG@$PYTHON_DIGEST, uv $UV_VERSION$UV_HASHES" >&2
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$ROOT" --no-pager diff --stat -- "${DOCKERFILES[@]}" >&2
fi
