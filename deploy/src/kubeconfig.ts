// The kubeconfig that points kubectl (and @kubernetes/client-node) at the local cluster.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/**
 * Writes a kubeconfig for a plain-HTTP apiserver at `server` to `path` (mode 0600): cluster
 * "minik8s", user "admin" without credentials (the insecure port does no authentication),
 * context "minik8s" in namespace default.
 *
 * `insecure-skip-tls-verify: true` is required by @kubernetes/client-node for an http:// server
 * (it refuses otherwise) and accepted by kubectl 1.32 when no CA is set.
 */
export async function writeKubeconfig(path: string, server: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'minik8s', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'admin', user: {} }],
    contexts: [{ name: 'minik8s', context: { cluster: 'minik8s', user: 'admin', namespace: 'default' } }],
    'current-context': 'minik8s',
    preferences: {},
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}
