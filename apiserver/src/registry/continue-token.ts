import { badRequest } from '@minik8s/shared';

/** The opaque `continue` token of a paginated list: the revision read at and the next key. */
export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, startKey: string, root: string): string {
  const start = startKey.startsWith(root) ? startKey.slice(root.length) : startKey;
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

export function decodeContinue(token: string, root: string): ContinueToken {
  try {
    const raw = JSON.parse(Buffer.from(token, 'base64url').toString());
    if (raw.v !== 'meta.k8s.io/v1' || typeof raw.rv !== 'number' || typeof raw.start !== 'string' || raw.start.includes('..')) {
      throw new Error('bad token');
    }
    return { rv: raw.rv, start: root + raw.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
