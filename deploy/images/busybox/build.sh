#!/usr/bin/env bash
# Builds a busybox image from Debian's static busybox, for machines that cannot pull
# docker.io/library/busybox: the README scenario's pods (and the kubelet's docker runtime
# tests) use `image: busybox`, which the docker runtime must find locally.
#
# Usage: deploy/images/busybox/build.sh [tag...]   (default tags: busybox:latest minik8s/busybox:local)
#   BUSYBOX_BIN  a statically linked busybox (default /usr/bin/busybox, Debian's busybox-static)
# Idempotent: the build context is byte-identical between runs, so a rebuild is a cache hit.
set -euo pipefail

if (($# == 0)); then set -- busybox:latest minik8s/busybox:local; fi
BUSYBOX_BIN="${BUSYBOX_BIN:-/usr/bin/busybox}"
die() { echo "build.sh: $*" >&2; exit 1; }
[[ -x "$BUSYBOX_BIN" ]] || die "$BUSYBOX_BIN not found; install it with: apt-get install -y busybox-static"
if ldd "$BUSYBOX_BIN" >/dev/null 2>&1; then die "$BUSYBOX_BIN is dynamically linked; want a static one (Debian's busybox-static)"; fi
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info failed)"

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/var/www"
chmod 1777 "$root/tmp"
cp -L "$BUSYBOX_BIN" "$root/bin/busybox"
# The official image links every applet into /bin, so `sh`, `httpd`, `sleep`... are commands.
for applet in $("$BUSYBOX_BIN" --list); do
  [[ -e "$root/bin/$applet" ]] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
find "$root" -exec touch -h -d '2000-01-01T00:00:00Z' {} +

cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
DOCKERFILE

echo "building $* from $BUSYBOX_BIN"
tag_args=()
for t in "$@"; do tag_args+=(-t "$t"); done
docker build -q "${tag_args[@]}" "$ctx"
docker run --rm "$1" sh -c 'echo . >/dev/null && httpd --help 2>&1 | grep -q httpd'
echo "built $*"
