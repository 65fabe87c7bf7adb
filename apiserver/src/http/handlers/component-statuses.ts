// componentstatuses (deprecated upstream, still what `kubectl get cs` shows): computed on
// request by probing etcd and the scheduler's and controller-manager's /healthz.

import { notFound, type KubeObject } from '@minik8s/shared';
import { toTable } from '../../printers/index.ts';
import { listBody, sendObject, type RequestScope } from '../scope.ts';

export interface ComponentProbe {
  name: string;
  probe: () => Promise<{ healthy: boolean; message: string; error?: string }>;
}

async function statuses(probes: ComponentProbe[]): Promise<KubeObject[]> {
  return Promise.all(
    probes.map(async (p) => {
      const r = await p.probe().catch((e: Error) => ({ healthy: false, message: '', error: e.message }));
      const cond: Record<string, string> = { type: 'Healthy', status: r.healthy ? 'True' : 'False' };
      if (r.message) cond.message = r.message;
      if (r.error) cond.error = r.error;
      return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: p.name }, conditions: [cond] };
    }),
  );
}

export function httpProbe(url: string): ComponentProbe['probe'] {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      return res.ok ? { healthy: true, message: text } : { healthy: false, message: '', error: `HTTP probe failed with statuscode: ${res.status}` };
    } catch (e) {
      const cause = (e as Error).cause as { code?: string; address?: string; port?: number; message?: string } | undefined;
      const why = cause?.code === 'ECONNREFUSED' ? `dial tcp ${cause.address}:${cause.port}: connect: connection refused` : (cause?.message ?? (e as Error).message);
      return { healthy: false, message: '', error: `Get "${url}": ${why}` };
    }
  };
}

export async function componentStatusesHandler(scope: Omit<RequestScope, 'store'>, probes: ComponentProbe[]): Promise<void> {
  scope.reply.header('warning', '299 - "v1 ComponentStatus is deprecated in v1.19+"');
  const all = await statuses(probes);
  if (scope.path.name) {
    const one = all.find((c) => c.metadata.name === scope.path.name);
    if (!one) throw notFound({ group: '', resource: 'componentstatuses' }, scope.path.name);
    sendObject(scope as RequestScope, 200, one);
    return;
  }
  const body = scope.table
    ? toTable('', 'componentstatuses', all, { now: scope.now(), includeObject: scope.table.includeObject, listMeta: {} })
    : listBody(scope.info, all, {});
  scope.reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
}
