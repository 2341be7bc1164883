#!/usr/bin/env bash
# Real services for tests and local runs, built or started only where missing, so it is safe to
# run again (and twice at once: a lock serialises runs).
#   - FerretDB v1.24 (SQLite backend), built with Go through the module proxy with our patches
#     (scripts/ferretdb/*.patch, see the README there), into .taskpilot/bin/ferretdb; the app and
#     the tests start it themselves on a free loopback port. Skipped when MONGODB_URI points at a
#     server of your own. A patch that no longer applies fails the build.
#   - Debian's sqlite3 shell, with which a test reads query plans from FerretDB's data files.
#   - a Docker engine: Debian's docker.io is installed and dockerd started when nothing answers.
#   - the sandbox test image taskpilot/sandbox:test, imported from a rootfs holding Debian's
#     static busybox: no registry involved.
# Usage: scripts/services.sh [all|ferretdb|docker]   (default: all)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="$root/.taskpilot"
mkdir -p "$state/bin"
exec 9>"$state/services.lock"
flock 9

FERRETDB_VERSION="v1.24.0"
FERRETDB_BIN="$state/bin/ferretdb"
FERRETDB_PATCHES="$root/scripts/ferretdb"
# The binary is rebuilt whenever the patches change: it records the digest of the ones it has.
patches_digest() { cat "$FERRETDB_PATCHES"/*.patch | sha256sum | cut -d' ' -f1; }
SANDBOX_IMAGE="${SANDBOX_IMAGE:-taskpilot/sandbox:test}"
# Bump when the image's contents change, so existing machines rebuild it.
SANDBOX_IMAGE_REVISION="1"

say() { printf 'services: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_ferretdb() {
  if [ -n "${MONGODB_URI:-}" ]; then
    say "MONGODB_URI is set; not building FerretDB"
    return
  fi
  local digest
  digest="$(patches_digest)"
  if [ -x "$FERRETDB_BIN" ] && "$FERRETDB_BIN" --version 2>/dev/null | grep -q "version: $FERRETDB_VERSION" &&
    [ "$(cat "$FERRETDB_BIN.patches" 2>/dev/null)" = "$digest" ]; then
    return
  fi
  command -v go >/dev/null || { say "Go is needed to build FerretDB (or set MONGODB_URI)"; exit 1; }
  say "building FerretDB $FERRETDB_VERSION (about a minute on a fresh machine)"
  # `go install …@version` resolves the module list, which the proxy refuses for this module, and
  # the binary it makes panics without build/version/version.txt: download the exact version,
  # add the version file to a copy of the source, and build that.
  local dir build
  dir="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir" ] || { say "could not download FerretDB $FERRETDB_VERSION"; exit 1; }
  build="$(mktemp -d)"
  cp -r "$dir/." "$build/"
  chmod -R u+w "$build"
  echo "$FERRETDB_VERSION" >"$build/build/version/version.txt"
  local patch
  for patch in "$FERRETDB_PATCHES"/*.patch; do
    # Exactly, or not at all: a patch that no longer fits stops the build here.
    if ! (cd "$build" && git apply --whitespace=nowarn "$patch"); then
      say "FerretDB patch $(basename "$patch") does not apply to $FERRETDB_VERSION"
      rm -rf "$build"
      exit 1
    fi
    say "applied $(basename "$patch")"
  done
  (cd "$build" && CGO_ENABLED=0 go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb)
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  echo "$digest" >"$FERRETDB_BIN.patches"
  rm -rf "$build"
  say "FerretDB ready at $FERRETDB_BIN"
}

docker_answers() { docker info >/dev/null 2>&1; }

ensure_docker() {
  if docker_answers; then return; fi
  if ! command -v dockerd >/dev/null; then
    say "installing Debian's docker.io"
    apt_install docker.io
  fi
  if ! docker_answers; then
    say "starting dockerd"
    # 9>&-: dockerd outlives this script and must not inherit (and hold) the services lock.
    as_root bash -c "nohup dockerd >'$state/dockerd.log' 2>&1 9>&- &"
    for _ in $(seq 1 60); do
      docker_answers && break
      sleep 0.5
    done
  fi
  docker_answers || { say "dockerd did not start; see $state/dockerd.log"; exit 1; }
}

static_busybox() {
  for candidate in /bin/busybox /usr/bin/busybox; do
    if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
}

ensure_sandbox_image() {
  local current
  current="$(docker image inspect -f '{{ index .Config.Labels "io.taskpilot.image-revision" }}' "$SANDBOX_IMAGE" 2>/dev/null || true)"
  if [ "$current" = "$SANDBOX_IMAGE_REVISION" ]; then return; fi
  local busybox
  busybox="$(static_busybox)"
  if [ -z "$busybox" ]; then
    say "installing Debian's busybox-static"
    apt_install busybox-static
    busybox="$(static_busybox)"
  fi
  [ -n "$busybox" ] || { say "no static busybox available"; exit 1; }
  say "building $SANDBOX_IMAGE from $busybox"
  local rootfs
  rootfs="$(mktemp -d)"
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/workspace" "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/workspace:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/bin' \
    -c 'WORKDIR /workspace' \
    -c 'USER 65534:65534' \
    -c "LABEL io.taskpilot.image-revision=$SANDBOX_IMAGE_REVISION" \
    - "$SANDBOX_IMAGE" >/dev/null
  rm -rf "$rootfs"
  say "$SANDBOX_IMAGE ready"
}

ensure_sqlite_shell() {
  command -v sqlite3 >/dev/null || { say "installing Debian's sqlite3"; apt_install sqlite3; }
}

case "${1:-all}" in
  ferretdb) ensure_ferretdb ;;
  docker) ensure_docker; ensure_sandbox_image ;;
  all) ensure_ferretdb; ensure_sqlite_shell; ensure_docker; ensure_sandbox_image ;;
  *) say "usage: scripts/services.sh [all|ferretdb|docker]"; exit 2 ;;
esac
