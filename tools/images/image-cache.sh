# Sourced by the image recipes: builds an OCI layout once per recipe, under .cache/images/NAME.
# A recipe defines build_layout LAYOUT WORKDIR (fills the OCI layout LAYOUT; IMAGE_STAMP is set)
# and calls build_cached NAME RECIPE. The stamp is a hash of the recipe and of this file: a
# changed recipe rebuilds, an unchanged one costs a hash. Afterwards IMAGE_LAYOUT is the layout's
# path and IMAGE_STAMP its stamp.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cache_root=${DAYTONA_IMAGE_CACHE:-$repo_root/.cache/images}

log() { printf '\033[36m[images]\033[0m %s\n' "$*" >&2; }

build_cached() {
  local name=$1 recipe=$2
  local dir=$cache_root/$name
  IMAGE_STAMP=$(cat "$recipe" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
  IMAGE_LAYOUT=$dir/oci
  mkdir -p "$cache_root"
  # Two test workers may ask at once: one builds, the other waits and then finds it built.
  exec 9>"$cache_root/$name.lock"
  flock 9
  if [ "$(cat "$dir/stamp" 2>/dev/null)" = "$IMAGE_STAMP" ] && [ -f "$IMAGE_LAYOUT/index.json" ]; then
    exec 9>&-
    return
  fi
  local work started=$SECONDS
  work=$(mktemp -d "$cache_root/.$name.XXXXXX")
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  log "building the $name image ($(basename "$recipe"))"
  umoci init --layout "$work/oci"
  build_layout "$work/oci" "$work"
  umoci gc --layout "$work/oci"
  echo "$IMAGE_STAMP" >"$work/stamp"
  rm -rf "$dir"
  mkdir -p "$dir"
  mv "$work/oci" "$work/stamp" "$dir/"
  rm -rf "$work"
  trap - EXIT
  exec 9>&-
  log "built the $name image in $((SECONDS - started)) s: $IMAGE_LAYOUT"
}
