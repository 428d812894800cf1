#!/usr/bin/env bash
# Tiny images for the runner's tests, built in about a second from the host's busybox-static:
#   alpha  marker "alpha", runs as root, no entrypoint
#   beta   marker "beta", runs as root, a Cmd that says it ran
#   user   marker "user", User=tester (1234), WorkingDir, Env and an Entrypoint+Cmd
# Prints the OCI layout as `oci:DIR`; the tags above are fixed.
source "$(dirname "$0")/image-cache.sh"

build_layout() {
  local layout=$1 work=$2
  local root=$work/root
  mkdir -p "$root"/{bin,etc,root,tmp,var/log,home/tester/work}
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\ntester:x:1234:1234:tester:/home/tester:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\ntester:x:1234:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root"
  chown -R 1234:1234 "$root/home/tester"
  tar -C "$root" --numeric-owner -cf "$work/base.tar" .

  umoci new --image "$layout:base"
  umoci raw add-layer --image "$layout:base" "$work/base.tar"
  for tag in alpha beta user; do
    mkdir -p "$work/$tag"
    echo "$tag" >"$work/$tag/marker"
    tar -C "$work/$tag" --numeric-owner --owner=0 --group=0 -cf "$work/$tag.tar" marker
    umoci config --no-history --image "$layout:base" --tag "$tag" --config.env PATH=/bin
    umoci raw add-layer --image "$layout:$tag" "$work/$tag.tar"
  done
  umoci config --no-history --image "$layout:beta" \
    --config.cmd /bin/sh --config.cmd -c --config.cmd 'echo "the image command ran as $(id -u) in $(pwd)"'
  umoci config --no-history --image "$layout:user" \
    --config.user tester --config.workingdir /home/tester/work \
    --config.env 'PATH=/usr/local/bin:/bin' --config.env 'GREETING=hello from the image' --config.env 'SHADOWED=image' \
    --config.entrypoint /bin/sh --config.entrypoint -c \
    --config.cmd 'echo "$GREETING, $(id -un) in $(pwd)"; sleep 3600'
  umoci rm --image "$layout:base"
}

build_cached test "$0"
printf 'oci:%s\n' "$IMAGE_LAYOUT"
