// What the process runtime knows of a few base images. It runs host processes and pulls
// nothing, so it cannot read an image's ENTRYPOINT and CMD; for these images it knows them,
// and a container resolves its command line as a container runtime would (CRI: `command`
// replaces the entrypoint, `args` replace the cmd). So `kubectl run x --image=busybox -- sh -c
// '...'` (args only) and a busybox container with neither (`sh`) behave as on a real node.
//
// busybox and alpine are busybox userlands: their containers find busybox's applets (httpd,
// wget, nc, ...) first on PATH, as in the image, when the host has a busybox binary.

/** An image's entrypoint and cmd, as its config holds them. */
export interface KnownImage {
  entrypoint: string[];
  cmd: string[];
  /** Its shell and tools are busybox applets. */
  busybox: boolean;
}

const KNOWN: Record<string, KnownImage> = {
  busybox: { entrypoint: [], cmd: ['sh'], busybox: true },
  alpine: { entrypoint: [], cmd: ['/bin/sh'], busybox: true },
  debian: { entrypoint: [], cmd: ['bash'], busybox: false },
  ubuntu: { entrypoint: [], cmd: ['/bin/bash'], busybox: false },
};

/**
 * The official image an image reference names (`busybox`, `busybox:1.36`,
 * `docker.io/library/busybox@sha256:...`), if it is one of the known ones. A reference to
 * another registry or repository (`quay.io/x/busybox`, `me/busybox`) is not.
 */
export function knownImage(image: string): KnownImage | undefined {
  let ref = image.split('@')[0]!;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > lastSlash) ref = ref.slice(0, colon);
  const parts = ref.split('/');
  // The first part names a registry when it has a dot or a port, or is localhost.
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost')) {
    if (parts[0] !== 'docker.io' && parts[0] !== 'index.docker.io') return undefined;
    parts.shift();
  }
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  if (parts.length !== 1) return undefined;
  return Object.hasOwn(KNOWN, parts[0]!) ? KNOWN[parts[0]!] : undefined;
}

/**
 * The command line a container runs: its command (else the image's entrypoint) followed by its
 * args (else, when it set no command, the image's cmd). undefined when there is nothing to run
 * because the image is unknown and the container names no command.
 */
export function containerCommandLine(command: string[], args: string[], image: KnownImage | undefined): string[] | undefined {
  if (command.length > 0) return [...command, ...args];
  if (!image) return undefined;
  const line = [...image.entrypoint, ...(args.length > 0 ? args : image.cmd)];
  return line.length > 0 ? line : undefined;
}
