#!/usr/bin/env bash
# Builds a local Node.js 24 base image from the Node binary on this machine, for machines that
# cannot pull node:24-bookworm-slim (deploy/Dockerfile's default NODE_IMAGE). The binary is
# dynamically linked against glibc and libstdc++, so the image carries it plus the exact
# libraries `ldd` names, on top of `scratch`, with a static busybox for /bin/sh and the usual
# tools, and pnpm.
#
# What deploy/Dockerfile and compose rely on, as in the official image: `node` and `pnpm` on
# PATH, /bin/sh, /tmp, a CA bundle at /etc/ssl/certs/ca-certificates.crt that Node trusts
# (NODE_EXTRA_CA_CERTS: registries here may sit behind a TLS proxy only the host bundle
# trusts), users root and node (1000).
#
# Usage: deploy/images/node/build.sh [tag]      (default tag: minik8s/node:local, or $NODE_IMAGE_TAG)
#   NODE_BIN     the node binary (default: the one `node` on PATH resolves to; must be v24)
#   PNPM_DIR     pnpm's package directory (default: found from `pnpm` on PATH; skipped if none)
#   BUSYBOX_BIN  a statically linked busybox (default /usr/bin/busybox, Debian's busybox-static)
# Idempotent: the build context is byte-identical between runs, so a rebuild is a cache hit.
set -euo pipefail

TAG="${1:-${NODE_IMAGE_TAG:-minik8s/node:local}}"
NODE_BIN="$(readlink -f "${NODE_BIN:-$(command -v node || true)}")"
BUSYBOX_BIN="${BUSYBOX_BIN:-/usr/bin/busybox}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
if [[ -z "${PNPM_DIR:-}" ]] && command -v pnpm >/dev/null 2>&1; then
  # pnpm's bin is a symlink into its package: <pkg>/bin/pnpm.cjs.
  PNPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v pnpm)")")")"
fi

die() { echo "build.sh: $*" >&2; exit 1; }
[[ -x "$NODE_BIN" ]] || die "no node binary (set NODE_BIN, or put Node 24 on PATH: export PATH=/opt/node24/bin:\$PATH)"
version="$("$NODE_BIN" --version)"
[[ "$version" == v24.* ]] || die "$NODE_BIN is $version; want v24 (set NODE_BIN)"
[[ -x "$BUSYBOX_BIN" ]] || die "$BUSYBOX_BIN not found; install it with: apt-get install -y busybox-static"
if ldd "$BUSYBOX_BIN" >/dev/null 2>&1; then die "$BUSYBOX_BIN is dynamically linked; want a static one (Debian's busybox-static)"; fi
[[ -r "$CA_BUNDLE" ]] || die "$CA_BUNDLE not found (apt-get install -y ca-certificates)"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info failed)"

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules" "$root/bin" "$root/usr/bin" "$root/etc/ssl/certs" \
  "$root/tmp" "$root/root" "$root/home/node" "$root/var/tmp"
chmod 1777 "$root/tmp" "$root/var/tmp"
cp -L "$NODE_BIN" "$root/usr/local/bin/node"

# Every shared object node needs, at the path it asks for (the loader's path is in the ELF
# header; the rest are found through the default search path).
libs="$(ldd "$NODE_BIN" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]+ \(/ { print $1 }' | sort -u)"
for lib in $libs; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# busybox provides /bin/sh and the tools a Dockerfile RUN or a healthcheck may use.
cp -L "$BUSYBOX_BIN" "$root/bin/busybox"
for applet in $("$BUSYBOX_BIN" --list); do
  [[ -e "$root/bin/$applet" ]] || ln -s busybox "$root/bin/$applet"
done
ln -s ../../bin/busybox "$root/usr/bin/env" # for `#!/usr/bin/env node` scripts (pnpm's)

if [[ -n "${PNPM_DIR:-}" && -f "$PNPM_DIR/package.json" ]]; then
  cp -a "$PNPM_DIR" "$root/usr/local/lib/node_modules/pnpm"
  ln -s ../lib/node_modules/pnpm/bin/pnpm.cjs "$root/usr/local/bin/pnpm"
  ln -s ../lib/node_modules/pnpm/bin/pnpx.cjs "$root/usr/local/bin/pnpx"
  pnpm_note="pnpm $(node "$PNPM_DIR/bin/pnpm.cjs" --version 2>/dev/null || echo '?')"
else
  pnpm_note="no pnpm"
fi

cp -L "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
chown 1000:1000 "$root/home/node"
# Fixed timestamps keep the context byte-identical so docker's build cache hits on rebuilds.
find "$root" -exec touch -h -d '2000-01-01T00:00:00Z' {} +

cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
DOCKERFILE

echo "building $TAG from $NODE_BIN ($version, $pnpm_note)"
docker build -q -t "$TAG" "$ctx"
# Smoke test: node must start inside the image (a missing library fails right here), and the
# shell must work (deploy/Dockerfile's RUN needs it).
docker run --rm "$TAG" sh -c 'node -e "process.exit(process.versions.node.startsWith(\"24.\") ? 0 : 1)"'
echo "built $TAG"
