// Where the apiserver is and how to authenticate to it: a kubeconfig file (its current
// context) and/or a --master URL, as client-go's clientcmd.BuildConfigFromFlags: --master
// overrides the server named by the kubeconfig.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClientConfig {
  /** Base URL of the apiserver, e.g. http://127.0.0.1:8080 or https://10.0.0.1:6443. */
  server: string;
  token?: string;
  username?: string;
  password?: string;
  /** PEM certificate authority bundle for https servers. */
  ca?: string;
  /** PEM client certificate and key (x509 client auth). */
  cert?: string;
  key?: string;
  insecureSkipTLSVerify?: boolean;
  /** The current context's namespace, when it names one. */
  namespace?: string;
}

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  contexts?: { name: string; context: { cluster?: string; user?: string; namespace?: string } }[];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Reads `<field>-data` (base64) or `<field>` (a file path, relative to the kubeconfig). */
function pemFrom(section: Record<string, unknown>, field: string, baseDir: string): string | undefined {
  const data = str(section[`${field}-data`]);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(section[field]);
  if (file) return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8');
  return undefined;
}

/** Parses kubeconfig text; `baseDir` resolves relative file references inside it. */
export function parseKubeconfig(text: string, baseDir: string = process.cwd(), contextName?: string): ClientConfig {
  const doc = (parse(text) ?? {}) as KubeconfigFile;
  const ctxName = contextName ?? doc['current-context'];
  const contexts = doc.contexts ?? [];
  const ctx = ctxName ? contexts.find((c) => c.name === ctxName) : contexts.length === 1 ? contexts[0] : undefined;
  if (!ctx) throw new Error(ctxName ? `kubeconfig: context "${ctxName}" not found` : 'kubeconfig: no current-context');
  const cluster = (doc.clusters ?? []).find((c) => c.name === ctx.context?.cluster)?.cluster;
  if (!cluster) throw new Error(`kubeconfig: cluster "${ctx.context?.cluster}" of context "${ctx.name}" not found`);
  const server = str(cluster.server);
  if (!server) throw new Error(`kubeconfig: cluster "${ctx.context.cluster}" has no server`);
  const user = (doc.users ?? []).find((u) => u.name === ctx.context?.user)?.user ?? {};

  const cfg: ClientConfig = { server };
  const ca = pemFrom(cluster, 'certificate-authority', baseDir);
  if (ca) cfg.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) cfg.insecureSkipTLSVerify = true;
  const tokenFile = str(user.tokenFile);
  const token = str(user.token) ?? (tokenFile ? readFileSync(isAbsolute(tokenFile) ? tokenFile : resolve(baseDir, tokenFile), 'utf8').trim() : undefined);
  if (token) cfg.token = token;
  const username = str(user.username);
  const password = str(user.password);
  if (username) cfg.username = username;
  if (password) cfg.password = password;
  const cert = pemFrom(user, 'client-certificate', baseDir);
  const key = pemFrom(user, 'client-key', baseDir);
  if (cert) cfg.cert = cert;
  if (key) cfg.key = key;
  const ns = str(ctx.context.namespace);
  if (ns) cfg.namespace = ns;
  return cfg;
}

export function loadKubeconfig(path: string, contextName?: string): ClientConfig {
  return parseKubeconfig(readFileSync(path, 'utf8'), dirname(resolve(path)), contextName);
}

/**
 * The config from the two standard flags. `master` alone is enough (an insecure local
 * apiserver); with a kubeconfig, `master` replaces its server. With neither, the first file
 * of $KUBECONFIG is read; there is no in-cluster config (no service account tokens yet).
 */
export function buildConfigFromFlags(master?: string, kubeconfigPath?: string): ClientConfig {
  if (!kubeconfigPath && master) return { server: master };
  const path = kubeconfigPath || process.env.KUBECONFIG?.split(':').find((p) => p !== '');
  if (!path) throw new Error('neither --kubeconfig nor --master was specified');
  const cfg = loadKubeconfig(path);
  if (master) cfg.server = master;
  return cfg;
}
