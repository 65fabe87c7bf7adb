#!/usr/bin/env bash
# Builds a local pod sandbox ("pause") image from Debian's static catatonit, for machines that
# cannot pull registry.k8s.io/pause. `catatonit -P` is catatonit's pause mode: it sleeps until
# signalled and reaps zombies, which is all a pod's infrastructure container has to do (hold
# the pod's network and IPC namespaces for its app containers).
#
# Usage: deploy/images/pause/build.sh [tag]       (default tag: minik8s/pause:local, or $PAUSE_IMAGE_TAG)
# The kubelet's docker runtime takes it with --pod-infra-container-image=minik8s/pause:local.
# Idempotent: the build context is byte-identical between runs, so a rebuild is a cache hit.
set -euo pipefail

TAG="${1:-${PAUSE_IMAGE_TAG:-minik8s/pause:local}}"
CATATONIT_BIN="${CATATONIT_BIN:-/usr/bin/catatonit}"

if ! file -L "$CATATONIT_BIN" 2>/dev/null | grep -q 'statically linked'; then
  echo "build.sh: $CATATONIT_BIN is not a static catatonit; install it with: apt-get install -y catatonit" >&2
  exit 1
fi
docker info >/dev/null 2>&1 || { echo "build.sh: the Docker engine does not answer (docker info failed)" >&2; exit 1; }

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/rootfs"
cp -L "$CATATONIT_BIN" "$ctx/rootfs/pause"
find "$ctx/rootfs" -exec touch -h -d '2000-01-01T00:00:00Z' {} +

cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
STOPSIGNAL SIGTERM
ENTRYPOINT ["/pause", "-P"]
DOCKERFILE

echo "building $TAG from $CATATONIT_BIN"
docker build -q -t "$TAG" "$ctx" >/dev/null
# A smoke test: the pause process must start and stop on SIGTERM.
id="$(docker run -d "$TAG")"
docker stop -t 5 "$id" >/dev/null
docker rm "$id" >/dev/null
echo "built $TAG"
