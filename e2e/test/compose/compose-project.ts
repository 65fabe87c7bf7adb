// docker-compose.yml as a test fixture: find a working Compose, bring a project up under its
// own name (so it never touches a developer's `docker compose up`), read its health, tear it
// down with everything the kubelets created on the host's Docker.

import { execFile } from 'node:child_process';
import { REPO_ROOT } from '../../../deploy/src/paths.ts';

export interface ComposeCommand {
  /** ['docker', 'compose'] (v2 plugin) or ['docker-compose'] (v1). */
  argv: string[];
  version: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; resolves with its exit code and output whatever the code (127 when it cannot start). */
export function runCommand(argv: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      argv[0],
      argv.slice(1),
      { cwd: opts.cwd ?? REPO_ROOT, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
        resolve({ code, stdout, stderr: err && code === 127 ? `${stderr}${err.message}` : stderr });
      },
    );
  });
}

/**
 * The Compose to use: `docker compose` (v2) when the plugin is there, else `docker-compose`
 * (Debian's package is v1.29, which reads this compose file too). Rejects, saying what to
 * install, when neither works or the Docker engine does not answer.
 */
export async function findCompose(): Promise<ComposeCommand> {
  const info = await runCommand(['docker', 'info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  if (info.code !== 0) throw new Error(`the Docker engine does not answer (docker info: ${(info.stderr || info.stdout).trim()}): start dockerd first`);
  const tried: string[] = [];
  for (const argv of [['docker', 'compose'], ['docker-compose']]) {
    const r = await runCommand([...argv, 'version', '--short'], { timeoutMs: 20_000 });
    if (r.code === 0 && r.stdout.trim()) return { argv, version: r.stdout.trim() };
    tried.push(`${argv.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  }
  throw new Error(
    `no Docker Compose on this machine (${tried.join('; ')}). Install one: \`apt-get install docker-compose\` ` +
      '(Debian bookworm: Compose v1.29, enough for docker-compose.yml) or the Compose v2 plugin (docker-compose-plugin / docker-compose-v2)',
  );
}

export class ComposeProject {
  readonly compose: ComposeCommand;
  readonly name: string;
  readonly env: Record<string, string>;

  constructor(compose: ComposeCommand, name: string, env: Record<string, string>) {
    this.compose = compose;
    this.name = name;
    this.env = env;
  }

  /** `<compose> -p <name> -f docker-compose.yml ...args` from the repository root. */
  run(args: string[], timeoutMs = 120_000): Promise<RunResult> {
    return runCommand([...this.compose.argv, '-p', this.name, '-f', 'docker-compose.yml', ...args], { env: this.env, timeoutMs });
  }

  async ok(args: string[], timeoutMs = 120_000): Promise<string> {
    const r = await this.run(args, timeoutMs);
    if (r.code !== 0) throw new Error(`${this.compose.argv.join(' ')} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** The project's containers: service name -> { state, health }, read from `docker inspect`. */
  async containers(): Promise<Map<string, { id: string; state: string; health?: string }>> {
    const ids = (await runCommand(['docker', 'ps', '-aq', '--filter', `label=com.docker.compose.project=${this.name}`])).stdout.split('\n').filter(Boolean);
    const out = new Map<string, { id: string; state: string; health?: string }>();
    if (ids.length === 0) return out;
    const r = await runCommand(['docker', 'inspect', ...ids]);
    for (const c of JSON.parse(r.stdout || '[]') as any[]) {
      out.set(c.Config.Labels['com.docker.compose.service'], { id: c.Id, state: c.State.Status, health: c.State.Health?.Status });
    }
    return out;
  }

  /** The last lines of a service's logs. */
  async logs(service: string, lines = 40): Promise<string> {
    const r = await this.run(['logs', '--no-color', '--tail', String(lines), service], 30_000);
    return `${r.stdout}${r.stderr}`;
  }

  /**
   * Removes what the kubelets created through the host's Docker socket (compose does not know
   * those containers: pod sandboxes on the project's network, and the app containers that
   * joined a sandbox's network namespace), then `down -v`. Resolves with the containers still
   * there after it (of the project, or on its network), which should be none.
   */
  async down(network: string): Promise<string[]> {
    const project = async () => (await runCommand(['docker', 'ps', '-aq', '--filter', `label=com.docker.compose.project=${this.name}`])).stdout.split('\n').filter(Boolean);
    await this.run(['stop', '-t', '10'], 180_000);
    const pods = await podContainers(network, new Set(await project()));
    if (pods.length > 0) await runCommand(['docker', 'rm', '-f', '-v', ...pods], { timeoutMs: 60_000 });
    await this.run(['down', '-v', '--remove-orphans', '-t', '10'], 180_000);
    return [...(await project()), ...(await podContainers(network, new Set()))];
  }
}

/**
 * Containers attached to `network` that are not in `exclude`, plus every container sharing the
 * network namespace of one of them (`NetworkMode: container:<id>`), transitively.
 */
async function podContainers(network: string, exclude: Set<string>): Promise<string[]> {
  const all = (await runCommand(['docker', 'ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
  if (all.length === 0) return [];
  const inspected = JSON.parse((await runCommand(['docker', 'inspect', ...all])).stdout || '[]') as any[];
  const picked = new Set<string>();
  for (const c of inspected) {
    if (exclude.has(c.Id) || exclude.has(c.Id.slice(0, 12))) continue;
    if (c.HostConfig?.NetworkMode === network || Object.keys(c.NetworkSettings?.Networks ?? {}).includes(network)) picked.add(c.Id);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of inspected) {
      const mode: string = c.HostConfig?.NetworkMode ?? '';
      if (!picked.has(c.Id) && mode.startsWith('container:') && [...picked].some((id) => id.startsWith(mode.slice('container:'.length)) || inspected.find((x) => x.Id === id)?.Name === `/${mode.slice('container:'.length)}`)) {
        picked.add(c.Id);
        grew = true;
      }
    }
  }
  return [...picked];
}
