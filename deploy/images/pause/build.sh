#!/usr/bin/env bash
# Builds the pod sandbox ("pause") image from Debian's static catatonit, for machines that
# cannot pull registry.k8s.io/pause: the kubelet's docker runtime starts one per pod to hold its
# network namespace (--pod-infra-container-image, default registry.k8s.io/pause:3.10).
# `catatonit -P` does what the pause binary does: sleep as PID 1, reap zombies, exit on SIGTERM.
#
# Usage: deploy/images/pause/build.sh [tag...]   (default tags: registry.k8s.io/pause:3.10 minik8s/pause:local)
#   CATATONIT_BIN  a statically linked catatonit (default /usr/bin/catatonit, Debian's catatonit)
# Idempotent: the build context is byte-identical between runs, so a rebuild is a cache hit.
set -euo pipefail

if (($# == 0)); then set -- registry.k8s.io/pause:3.10 minik8s/pause:local; fi
CATATONIT_BIN="${CATATONIT_BIN:-/usr/bin/catatonit}"
die() { echo "build.sh: $*" >&2; exit 1; }
[[ -x "$CATATONIT_BIN" ]] || die "$CATATONIT_BIN not found; install it with: apt-get install -y catatonit"
if ldd "$CATATONIT_BIN" >/dev/null 2>&1; then die "$CATATONIT_BIN is dynamically linked; want a static one (Debian's catatonit)"; fi
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info failed)"

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/rootfs"
cp -L "$CATATONIT_BIN" "$ctx/rootfs/pause"
find "$ctx/rootfs" -exec touch -h -d '2000-01-01T00:00:00Z' {} +
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
USER 65535:65535
ENTRYPOINT ["/pause", "-P"]
DOCKERFILE

echo "building $* from $CATATONIT_BIN"
tag_args=()
for t in "$@"; do tag_args+=(-t "$t"); done
docker build -q "${tag_args[@]}" "$ctx"
# Smoke test: it must start, keep running, and stop at once on SIGTERM (docker stop -t 5).
id="$(docker run -d "$1")"
trap 'rm -rf "$ctx"; docker rm -f "$id" >/dev/null 2>&1 || true' EXIT
sleep 1
[[ "$(docker inspect -f '{{.State.Running}}' "$id")" == true ]] || die "the pause container exited: $(docker logs "$id" 2>&1 | tail -3)"
docker stop -t 5 "$id" >/dev/null
echo "built $*"
