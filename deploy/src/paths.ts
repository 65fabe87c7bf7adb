// Where things are: the repository (found from this file, not from the cwd) and the default
// data directory of the local cluster.

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (deploy/src/ is two levels below it), with a trailing slash. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `<repo>/.data`: git ignores it; etcd's data, the logs and the kubeconfig go there. */
export const DEFAULT_DATA_DIR = join(REPO_ROOT, '.data');
