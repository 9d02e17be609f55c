#!/usr/bin/env bash
# Builds the deploy's base images locally, without any image registry: debootstrap bookworm
# (minbase) once from this machine's Debian mirror, add each image's packages in a chroot,
# trim, and `docker import`. An image is skipped when it exists with the same package spec.
#
# Images: rinha/bookworm-build (compilers + -dev libs), rinha/bookworm-runtime (the API's
# runtime libs only), rinha/haproxy (the compose's lb), rinha/nginx (the alternative lb),
# rinha/redis.  FORCE=1 rebuilds; needs root and dockerd.
set -euo pipefail

WORK=${RINHA_ROOTFS_DIR:-/var/tmp/rinha-rootfs}
SUITE=bookworm
mkdir -p "$WORK"
LOG=$WORK/base-image.log
: >"$LOG"

die() { echo "base-image: FAIL: $*" >&2; echo "base-image: log in $LOG" >&2; exit 1; }
log() { echo "base-image: $*"; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot)"
command -v docker >/dev/null || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "docker daemon not reachable"

# Each image: its name, the packages added on top of minbase, and what `docker import` sets.
RUNTIME_LIBS="libhiredis0.14 libfmt9 libsimdjson14 libuuid1 libboost-url1.81.0 libboost-json1.81.0 libstdc++6 ca-certificates"
BUILD_PKGS="build-essential cmake pkg-config libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev libhiredis-dev libsimdjson-dev libfmt-dev uuid-dev libgtest-dev libgmock-dev libbenchmark-dev"
declare -A PKGS=(
  [rinha/bookworm-build]="$BUILD_PKGS"
  [rinha/bookworm-runtime]="$RUNTIME_LIBS"
  [rinha/haproxy]="haproxy"
  [rinha/nginx]="nginx"
  [rinha/redis]="redis-server"
)
declare -A CMD=(
  [rinha/bookworm-build]='["/bin/bash"]'
  [rinha/bookworm-runtime]='["/bin/bash"]'
  [rinha/haproxy]='["haproxy","-f","/usr/local/etc/haproxy/haproxy.cfg"]'
  [rinha/nginx]='["nginx","-g","daemon off;"]'
  [rinha/redis]='["redis-server","/etc/redis/redis.conf"]'
)
ORDER=(rinha/bookworm-runtime rinha/haproxy rinha/nginx rinha/redis rinha/bookworm-build)
[ $# -gt 0 ] && ORDER=("$@")

# The mirror this machine already uses (deb822 .sources or one-line sources.list), so the
# images see the same archive as the host; DEBIAN_MIRROR overrides.
detect_mirror() {
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' \
        | grep -E '/debian/?$' | grep -v security | head -n1 || true)
  [ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk '$1=="deb" {print $2}' | grep -E '/debian/?$' | grep -v security | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}
MIRROR=${DEBIAN_MIRROR:-$(detect_mirror)}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-${MIRROR%/debian*}/debian-security}

# The spec of an image, stored as a label: changing its packages forces a rebuild.
spec_of() { echo "$SUITE|$MIRROR|${PKGS[$1]}|${CMD[$1]}|v3" | sha256sum | cut -c1-16; }

image_current() {
  local have
  have=$(docker image inspect -f '{{index .Config.Labels "rinha.base.spec"}}' "$1" 2>/dev/null) || return 1
  [ "$have" = "$(spec_of "$1")" ]
}

MOUNTED=()
cleanup() {
  local m
  for m in "${MOUNTED[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT

# One minbase tarball shared by all images (debootstrap is the slow part).
ensure_minbase() {
  local tarball=$WORK/minbase-$SUITE.tar
  [ -s "$tarball" ] && return 0
  command -v debootstrap >/dev/null || die "debootstrap missing (apt-get install debootstrap)"
  local dir=$WORK/minbase
  mkdir -p "$WORK/debs"
  rm -rf "$dir"
  log "debootstrap $SUITE minbase from $MIRROR (a few minutes; log: $LOG)"
  debootstrap --variant=minbase --cache-dir="$WORK/debs" "$SUITE" "$dir" "$MIRROR" >>"$LOG" 2>&1 \
    || die "debootstrap failed"
  tar --numeric-owner -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$dir"
}

# apt inside the chroot: full bookworm (updates + security), no recommends, no docs,
# and no service may start while packages configure.
prepare_chroot() {
  local dir=$1
  cat >"$dir/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  cat >"$dir/etc/apt/apt.conf.d/90rinha" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Retries "3";
EOF
  cat >"$dir/etc/dpkg/dpkg.cfg.d/90rinha-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod +x "$dir/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mount -t proc proc "$dir/proc"; MOUNTED+=("$dir/proc")
}

trim_chroot() {
  local dir=$1
  chroot "$dir" apt-get clean >>"$LOG" 2>&1
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/debconf/*-old \
         "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* \
         "$dir"/var/log/*.log "$dir"/var/log/apt/* "$dir"/tmp/* "$dir"/usr/sbin/policy-rc.d
  # minbase's own translations (~30 MB) predate the path-exclude above.
  find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  : >"$dir/etc/resolv.conf"
}

build_image() {
  local name=$1 slug dir
  if [ "${FORCE:-0}" != 1 ] && image_current "$name"; then
    log "$name is current, skipped"
    return 0
  fi
  ensure_minbase
  slug=${name//\//-}
  dir=$WORK/img-$slug
  rm -rf "$dir"; mkdir -p "$dir"
  tar -C "$dir" -xf "$WORK/minbase-$SUITE.tar"
  prepare_chroot "$dir"
  log "$name: installing ${PKGS[$name]}"
  chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$LOG" 2>&1 \
    || die "$name: apt-get update in chroot failed"
  # shellcheck disable=SC2086
  chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${PKGS[$name]} >>"$LOG" 2>&1 \
    || die "$name: apt-get install failed"
  chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get -y -q upgrade >>"$LOG" 2>&1 || true
  case "$name" in
    rinha/nginx)
      # Logs go to the container's output; the config is mounted by compose.
      ln -sf /dev/stdout "$dir/var/log/nginx/access.log"
      ln -sf /dev/stderr "$dir/var/log/nginx/error.log" ;;
    rinha/haproxy)
      # The path of the official haproxy image, where compose mounts deploy/haproxy.cfg.
      mkdir -p "$dir/usr/local/etc/haproxy" ;;
    rinha/redis)
      mkdir -p "$dir/data" ;;
  esac
  umount "$dir/proc"; MOUNTED=()
  trim_chroot "$dir"
  log "$name: docker import"
  tar --numeric-owner -C "$dir" -c . | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change "LABEL rinha.base.spec=$(spec_of "$name")" \
      --change "CMD ${CMD[$name]}" \
      - "$name:latest" >>"$LOG" 2>&1 || die "$name: docker import failed"
  rm -rf "$dir"
  log "$name: $(docker image inspect -f '{{.Size}}' "$name" | awk '{printf "%.1f MB", $1/1e6}')"
}

for name in "${ORDER[@]}"; do
  [ -n "${PKGS[$name]+x}" ] || die "unknown image $name (known: ${!PKGS[*]})"
  build_image "$name"
done
log "done"
