// The README scenario's steps, as a newcomer types them (the real kubectl, the manifests in
// deploy/examples/, curl), shared by the local-launcher test and the compose test.
//
// Every wait polls with a deadline and fails with what it saw last.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { kubectl, waitFor, type KubectlResult } from '@minik8s/shared/testing';
import { REPO_ROOT } from '../../../deploy/src/paths.ts';
import { parseTable } from '../support/table.ts';

export const EXAMPLES = join(REPO_ROOT, 'deploy', 'examples');

/** A running cluster, seen from this machine. */
export interface ScenarioTarget {
  kubeconfig: string;
  /** Where a NodePort service's `nodePort` is reached from here (one URL per node). */
  nodePortUrls(nodePort: number): Promise<string[]>;
}

export function run(t: ScenarioTarget, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return kubectl(args, { kubeconfig: t.kubeconfig, ...opts });
}

/** kubectl that must exit 0; resolves with its stdout. */
export async function ok(t: ScenarioTarget, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(t, args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

async function getJson(t: ScenarioTarget, args: string[]): Promise<any> {
  return JSON.parse(await ok(t, [...args, '-o', 'json']));
}

/**
 * `kubectl get pod busybox -w` in the background, `kubectl apply -f deploy/examples/busybox-pod.yaml`,
 * and resolves once the watch printed the pod Running. Resolves with the watch's output.
 */
/**
 * `kubectl apply` the seed 001 pod, `kubectl wait` until it is Ready, then `kubectl get pod busybox`.
 * (Not `get -w`: kubectl prints the object, then watches from resourceVersion 0 and drops that
 * watch's first event as the one it printed, so a pod that starts between the two requests
 * would never be shown Running.)
 */
export async function createBusyboxAndWaitRunning(t: ScenarioTarget, timeoutMs: number): Promise<string> {
  await ok(t, ['apply', '-f', join(EXAMPLES, 'busybox-pod.yaml')]);
  const seconds = Math.round(timeoutMs / 1000);
  const waited = await run(t, ['wait', '--for=condition=Ready', 'pod/busybox', `--timeout=${seconds}s`], { timeoutMs: timeoutMs + 15_000 });
  if (waited.code !== 0) throw new Error(`kubectl wait --for=condition=Ready pod/busybox exited ${waited.code}: ${waited.stderr}\n${await describePod(t, 'busybox')}`);
  return ok(t, ['get', 'pod', 'busybox']);
}

/** `kubectl logs busybox` until it shows a dot (the loop prints one every 5 s). */
export async function waitForDots(t: ScenarioTarget, timeoutMs: number): Promise<string> {
  return waitFor(
    async () => {
      const r = await run(t, ['logs', 'busybox']);
      if (r.code !== 0) throw new Error(`kubectl logs busybox exited ${r.code}: ${r.stderr.trim()}`);
      return r.stdout.split('\n').includes('.') ? r.stdout : false;
    },
    { timeoutMs, intervalMs: 500, message: '`kubectl logs busybox` never showed a dot' },
  );
}

/**
 * `kubectl run hello --image=busybox --restart=Never -- echo hello` (args only: busybox has no
 * entrypoint, so they are the command), `kubectl wait` for Succeeded, then `kubectl logs hello`.
 */
export async function runHello(t: ScenarioTarget, timeoutMs: number): Promise<string> {
  await ok(t, ['run', 'hello', '--image=busybox', '--restart=Never', '--', 'echo', 'hello']);
  const seconds = Math.round(timeoutMs / 1000);
  const waited = await run(t, ['wait', "--for=jsonpath={.status.phase}=Succeeded", 'pod/hello', `--timeout=${seconds}s`], { timeoutMs: timeoutMs + 15_000 });
  if (waited.code !== 0) throw new Error(`kubectl wait for pod/hello Succeeded exited ${waited.code}: ${waited.stderr}\n${await describePod(t, 'hello')}`);
  return ok(t, ['logs', 'hello']);
}

/** `kubectl apply -f deploy/examples/web-deployment.yaml`, then `kubectl rollout status` until complete. */
export async function createWebAndRollOut(t: ScenarioTarget, timeoutMs: number): Promise<void> {
  await ok(t, ['apply', '-f', join(EXAMPLES, 'web-deployment.yaml')]);
  await rolloutStatus(t, timeoutMs);
}

/** `kubectl rollout status deployment/web`, failing with the Deployment, its pods and their events. */
export async function rolloutStatus(t: ScenarioTarget, timeoutMs: number): Promise<string> {
  const r = await run(t, ['rollout', 'status', 'deployment/web', `--timeout=${Math.round(timeoutMs / 1000)}s`], { timeoutMs: timeoutMs + 15_000 });
  if (r.code === 0) return r.stdout;
  const state = await run(t, ['get', 'deployment,replicaset,pods', '-l', 'app=web', '-o', 'wide']);
  const logs = await run(t, ['logs', '-l', 'app=web', '--tail=3', '--prefix']);
  throw new Error(`kubectl rollout status deployment/web exited ${r.code}\n${r.stdout}${r.stderr}\n${state.stdout}${state.stderr}\nlogs:\n${logs.stdout}${logs.stderr}`);
}

export interface WebPod {
  name: string;
  phase: string;
  ready: boolean;
  message?: string;
  deleting: boolean;
}

/** The pods of app=web, as `kubectl get pods -l app=web -o json` has them. */
export async function webPods(t: ScenarioTarget): Promise<WebPod[]> {
  const list = await getJson(t, ['get', 'pods', '-l', 'app=web']);
  return list.items.map((p: any) => ({
    name: p.metadata.name,
    phase: p.status?.phase ?? '',
    ready: (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    message: p.spec.containers[0].env?.find((e: any) => e.name === 'MESSAGE')?.value,
    deleting: Boolean(p.metadata.deletionTimestamp),
  }));
}

/** `kubectl expose deployment web --type=NodePort --port=80 --target-port=8000`; resolves the nodePort. */
export async function exposeWeb(t: ScenarioTarget): Promise<number> {
  await ok(t, ['expose', 'deployment', 'web', '--type=NodePort', '--port=80', '--target-port=8000']);
  const port = Number(await ok(t, ['get', 'service', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`service web has no nodePort: ${port}`);
  return port;
}

/** GET `url` with curl (as the README does); resolves with the body, rejects on a non-200. */
export function curl(url: string, extra: string[] = []): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-m', '5', '-w', '\n%{http_code}', ...extra, url], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('curl is not installed (apt-get install curl)'));
        return;
      }
      if (err) {
        reject(new Error(`curl ${url}: ${err.message.split('\n')[0]} ${stderr.trim()}`));
        return;
      }
      const cut = stdout.lastIndexOf('\n');
      resolve({ body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)) });
    });
  });
}

/**
 * Curls the service's node port on every node until every current web pod has answered with
 * `message` ("<message> from <pod>"), through every node. Resolves with the answers per pod.
 */
export async function reachEveryPod(t: ScenarioTarget, nodePort: number, message: string, timeoutMs: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const perUrl = new Map<string, number>();
  let lastProblem = '';
  let expected: string[] = [];
  const waiting = waitFor(
    async () => {
      const pods = await webPods(t);
      expected = pods.filter((p) => !p.deleting && p.ready && p.message === message).map((p) => p.name);
      for (const url of await t.nodePortUrls(nodePort)) {
        try {
          const r = await curl(`${url}/`);
          if (r.status !== 200) lastProblem = `${url}: HTTP ${r.status} ${r.body}`;
          const m = /^(.*) from (\S+)$/.exec(r.body.trim());
          if (r.status === 200 && m && m[1] === message) {
            seen.set(m[2], (seen.get(m[2]) ?? 0) + 1);
            perUrl.set(url, (perUrl.get(url) ?? 0) + 1);
          } else if (r.status === 200) lastProblem = `${url} answered ${JSON.stringify(r.body)}`;
        } catch (err) {
          lastProblem = (err as Error).message;
        }
      }
      const urls = await t.nodePortUrls(nodePort);
      return expected.length > 0 && expected.every((name) => seen.has(name)) && urls.every((u) => perUrl.has(u));
    },
    { timeoutMs, intervalMs: 100 },
  );
  try {
    await waiting;
  } catch (err) {
    // The state at the deadline, not at the start.
    throw new Error(
      `not every ready web pod answered "${message} from <pod>" through node port ${nodePort} within ${timeoutMs / 1000} s ` +
        `(ready pods with that message: ${JSON.stringify(expected)}; answered: ${JSON.stringify(Object.fromEntries(seen))}; ` +
        `through: ${JSON.stringify([...perUrl.keys()])}; last problem: ${lastProblem || 'none'})`,
      { cause: err },
    );
  }
  return seen;
}

/** `kubectl scale deployment web --replicas=n`, then waits for n ready pods (and no more). */
export async function scaleWeb(t: ScenarioTarget, replicas: number, timeoutMs: number): Promise<WebPod[]> {
  await ok(t, ['scale', 'deployment', 'web', `--replicas=${replicas}`]);
  return waitFor(
    async () => {
      const pods = (await webPods(t)).filter((p) => !p.deleting);
      return pods.length === replicas && pods.every((p) => p.phase === 'Running' && p.ready) ? pods : false;
    },
    { timeoutMs, intervalMs: 250, message: `deployment web never had exactly ${replicas} ready pods` },
  );
}

/** `kubectl set env deployment/web MESSAGE=<message>` and `kubectl rollout status`. */
export async function rollOutMessage(t: ScenarioTarget, message: string, timeoutMs: number): Promise<void> {
  await ok(t, ['set', 'env', 'deployment/web', `MESSAGE=${message}`]);
  await rolloutStatus(t, timeoutMs);
}

/** `kubectl get leases -n kube-system`: lease name -> HOLDER column. */
export async function leaseHolders(t: ScenarioTarget): Promise<Map<string, string>> {
  const out = await ok(t, ['get', 'leases', '-n', 'kube-system']);
  if (out.trim() === '') return new Map();
  const table = parseTable(out);
  const holder = table.header.indexOf('HOLDER');
  if (holder < 0) throw new Error(`kubectl get leases printed no HOLDER column:\n${out}`);
  return new Map(table.rows.map((r) => [r[0], r[holder]]));
}

/** `kubectl describe pod <name>` (for failure messages; never throws). */
export async function describePod(t: ScenarioTarget, name: string): Promise<string> {
  try {
    const r = await run(t, ['describe', 'pod', name]);
    return `kubectl describe pod ${name}:\n${r.stdout}${r.stderr}`;
  } catch (err) {
    return `kubectl describe pod ${name} failed: ${(err as Error).message}`;
  }
}
