// The nodes the kubelets registered, and whether each is Ready, as `kubectl get nodes` shows.

export interface NodeReadiness {
  name: string;
  /** The Ready condition's status: True, False, Unknown, or undefined when it has none yet. */
  ready?: string;
}

/** Lists the Nodes from the apiserver at `apiserverUrl`. */
export async function readNodes(apiserverUrl: string): Promise<NodeReadiness[]> {
  const res = await fetch(`${apiserverUrl}/api/v1/nodes`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`GET /api/v1/nodes: HTTP ${res.status} ${await res.text()}`);
  const list = (await res.json()) as { items?: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
  return (list.items ?? []).map((n) => ({ name: n.metadata.name, ready: n.status?.conditions?.find((c) => c.type === 'Ready')?.status }));
}
