// Discovery: aggregated (apidiscovery.k8s.io/v2, what kubectl 1.32 asks for first) and the
// legacy per-group-version documents (what client-node uses). Both are derived from the
// resource catalogue and computed once.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RESOURCES, groupVersion, notFound, type ResourceInfo } from '@minik8s/shared';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface SubresourceSpec {
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

const SUBRESOURCES: Record<string, (info: ResourceInfo) => SubresourceSpec> = {
  status: (i) => ({ kind: i.kind, verbs: ['get', 'patch', 'update'] }),
  scale: () => ({ kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] }),
  binding: () => ({ kind: 'Binding', verbs: ['create'] }),
  eviction: () => ({ kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] }),
  log: () => ({ kind: 'Pod', verbs: ['get'] }),
  exec: () => ({ kind: 'PodExecOptions', verbs: ['create', 'get'] }),
  finalize: () => ({ kind: 'Namespace', verbs: ['update'] }),
  proxy: () => ({ kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }),
};

function verbsOf(info: ResourceInfo): string[] {
  return info.resource === 'componentstatuses' ? ['get', 'list'] : ALL_VERBS;
}

function groupsInOrder(): Array<{ group: string; version: string; resources: ResourceInfo[] }> {
  const out: Array<{ group: string; version: string; resources: ResourceInfo[] }> = [];
  for (const r of RESOURCES) {
    let g = out.find((x) => x.group === r.group && x.version === r.version);
    if (!g) out.push((g = { group: r.group, version: r.version, resources: [] }));
    g.resources.push(r);
  }
  return out;
}

function legacyResourceList(group: string, version: string, resources: ResourceInfo[]): object {
  const list: object[] = [];
  for (const r of resources) {
    list.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: verbsOf(r),
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const sub of r.subresources ?? []) {
      const s = SUBRESOURCES[sub](r);
      list.push({
        name: `${r.resource}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: list };
}

function aggregatedGroup(group: string, version: string, resources: ResourceInfo[]): object {
  return {
    metadata: group ? { name: group } : {},
    versions: [
      {
        version,
        freshness: 'Current',
        resources: resources.map((r) => ({
          resource: r.resource,
          responseKind: { group, version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: verbsOf(r),
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
          ...(r.categories ? { categories: r.categories } : {}),
          ...(r.subresources
            ? {
                subresources: r.subresources.map((sub) => {
                  const s = SUBRESOURCES[sub](r);
                  return { subresource: sub, responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind }, verbs: s.verbs };
                }),
              }
            : {}),
        })),
      },
    ],
  };
}

const AGGREGATED_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s/g, '');
    if (p.startsWith('application/json;') && p.includes('g=apidiscovery.k8s.io') && p.includes('v=v2') && p.includes('as=APIGroupDiscoveryList') && !p.includes('v=v2beta1')) return true;
    if (p === 'application/json' || p === '*/*') return false;
  }
  return false;
}

export function registerDiscoveryRoutes(app: FastifyInstance): void {
  const groups = groupsInOrder();
  const core = groups.filter((g) => g.group === '');
  const named = groups.filter((g) => g.group !== '');
  const json = (x: unknown) => JSON.stringify(x);
  const bytes = (x: unknown) => Buffer.from(JSON.stringify(x));

  const aggCore = bytes({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: core.map((g) => aggregatedGroup('', g.version, g.resources)) });
  const aggApis = bytes({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: named.map((g) => aggregatedGroup(g.group, g.version, g.resources)) });
  const groupEntry = (g: { group: string; version: string }) => ({
    name: g.group,
    versions: [{ groupVersion: `${g.group}/${g.version}`, version: g.version }],
    preferredVersion: { groupVersion: `${g.group}/${g.version}`, version: g.version },
  });
  const legacyApis = bytes({ kind: 'APIGroupList', apiVersion: 'v1', groups: named.map(groupEntry) });
  const perGV = new Map(groups.map((g) => [groupVersion(g), bytes(legacyResourceList(g.group, g.version, g.resources))]));

  // A Buffer keeps fastify from rewriting the media type (it would quote the parameters and add a charset).
  const answer = (reply: FastifyReply, type: string, body: Buffer) => reply.code(200).header('content-type', type).header('vary', 'Accept').send(body);

  app.get('/api', (req: FastifyRequest, reply) => {
    if (wantsAggregated(req.headers.accept)) return answer(reply, AGGREGATED_TYPE, aggCore);
    const host = req.headers.host ?? '127.0.0.1';
    return answer(reply, 'application/json', bytes({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] }));
  });
  app.get('/apis', (req, reply) => (wantsAggregated(req.headers.accept) ? answer(reply, AGGREGATED_TYPE, aggApis) : answer(reply, 'application/json', legacyApis)));
  app.get('/api/v1', (_req, reply) => answer(reply, 'application/json', perGV.get('v1')!));
  app.get('/apis/:group', (req, reply) => {
    const { group } = req.params as { group: string };
    const g = named.find((x) => x.group === group);
    if (!g) return reply.code(404).header('content-type', 'application/json').send(json(notFound({ group: '', resource: '' }, '').status));
    return answer(reply, 'application/json', bytes({ kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) }));
  });
  app.get('/apis/:group/:version', (req, reply) => {
    const { group, version } = req.params as { group: string; version: string };
    const body = perGV.get(`${group}/${version}`);
    if (!body) return reply.code(404).header('content-type', 'application/json').send(json(notFound({ group: '', resource: '' }, '').status));
    return answer(reply, 'application/json', body);
  });
}
