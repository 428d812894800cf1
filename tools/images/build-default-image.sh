#!/usr/bin/env bash
# The default sandbox image: Debian bookworm from Debian's own packages (mmdebstrap), with python3,
# bash, coreutils, curl, git, ca-certificates and sudo, and the user `daytona` (1000:1000, home
# /home/daytona, passwordless sudo) it runs as. Downloaded .debs are kept in .cache/images/debs, so
# a rebuild downloads only what changed. Prints `oci:LAYOUT:TAG`; the tag changes with the recipe.
source "$(dirname "$0")/image-cache.sh"

suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
packages=python3,bash,coreutils,curl,git,ca-certificates,sudo,procps,libnss-myhostname
debs=$cache_root/debs

build_layout() {
  local layout=$1 work=$2
  local tag=$suite-$IMAGE_STAMP
  mkdir -p "$debs"
  # libnss-myhostname resolves the sandbox's own hostname, which sudo looks up.
  mmdebstrap --variant=apt --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --skip=output/dev --skip=download/empty --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --setup-hook="sync-in $debs /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $debs" \
    --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
    --customize-hook='chroot "$1" useradd --create-home --uid 1000 --user-group --shell /bin/bash daytona' \
    --customize-hook='echo "daytona ALL=(ALL:ALL) NOPASSWD: ALL" >"$1"/etc/sudoers.d/daytona && chmod 0440 "$1"/etc/sudoers.d/daytona' \
    --customize-hook='rm -f "$1"/etc/hostname "$1"/etc/resolv.conf' \
    --customize-hook='printf "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" >"$1"/etc/hosts' \
    "$suite" "$work/rootfs.tar" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security_mirror $suite-security main" >&2
  umoci new --image "$layout:$tag"
  umoci raw add-layer --image "$layout:$tag" "$work/rootfs.tar" >&2
  umoci config --image "$layout:$tag" --author daytona \
    --config.user daytona --config.workingdir /home/daytona \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --config.env LANG=C.UTF-8 >&2
}

build_cached default "$0"
printf 'oci:%s:%s\n' "$IMAGE_LAYOUT" "$suite-$IMAGE_STAMP"
