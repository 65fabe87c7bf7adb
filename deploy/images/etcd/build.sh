#!/usr/bin/env bash
# Builds a local etcd image from Debian's etcd-server/etcd-client packages, for machines that
# cannot pull quay.io/coreos/etcd. Debian's binaries are dynamically linked against glibc, so
# the image carries them plus the exact libraries `ldd` names (libc and the loader) on top of
# `scratch`.
#
# The image mirrors the official one where it matters to callers: etcd and etcdctl in
# /usr/local/bin, CMD (not ENTRYPOINT) /usr/local/bin/etcd, WORKDIR /var/lib/etcd, ports 2379
# and 2380. So `docker run IMAGE /usr/local/bin/etcd --flags...` works with either image.
#
# Usage: deploy/images/etcd/build.sh [tag]      (default tag: minik8s/etcd:local, or $ETCD_IMAGE_TAG)
# Idempotent: the build context is byte-identical between runs, so a rebuild is a cache hit.
set -euo pipefail

TAG="${1:-${ETCD_IMAGE_TAG:-minik8s/etcd:local}}"
ETCD_BIN="${ETCD_BIN:-/usr/bin/etcd}"
ETCDCTL_BIN="${ETCDCTL_BIN:-/usr/bin/etcdctl}"

for bin in "$ETCD_BIN" "$ETCDCTL_BIN"; do
  if [[ ! -x "$bin" ]]; then
    echo "build.sh: $bin not found; install it with: apt-get install -y etcd-server etcd-client" >&2
    exit 1
  fi
done
docker info >/dev/null 2>&1 || { echo "build.sh: the Docker engine does not answer (docker info failed)" >&2; exit 1; }

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/local/bin" "$root/var/lib/etcd" "$root/tmp" "$root/etc"
chmod 1777 "$root/tmp"
chmod 700 "$root/var/lib/etcd"
cp -L "$ETCD_BIN" "$root/usr/local/bin/etcd"
cp -L "$ETCDCTL_BIN" "$root/usr/local/bin/etcdctl"

# Every shared object either binary needs, at the path the binary asks for (the loader path is
# baked into the ELF header, the rest are found through the default search path).
libs="$(ldd "$ETCD_BIN" "$ETCDCTL_BIN" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]+ \(/ { print $1 }' | sort -u)"
for lib in $libs; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# Host names resolve from files first (Go's resolver and glibc both read these); no DNS needed.
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
# Fixed timestamps keep the context byte-identical so docker's build cache hits on rebuilds.
find "$root" -exec touch -h -d '2000-01-01T00:00:00Z' {} +

cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
# etcd 3.4 defaults to the capnslog logger; zap is the structured logger that 3.5 makes the
# default, and it writes to stderr (no journald probing) with log-outputs=default.
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    ETCD_LOGGER=zap \
    ETCDCTL_API=3
WORKDIR /var/lib/etcd
EXPOSE 2379 2380
CMD ["/usr/local/bin/etcd"]
DOCKERFILE

echo "building $TAG from $ETCD_BIN ($("$ETCD_BIN" --version | head -1))"
docker build -q -t "$TAG" "$ctx"
# A smoke test: the binary must start inside the image (missing libraries fail right here).
docker run --rm "$TAG" /usr/local/bin/etcd --version >/dev/null
echo "built $TAG"
