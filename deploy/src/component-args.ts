// Command lines of the daemons: the flags the launcher wants, kept when the component's
// --help lists them.

import { COMPONENT_MAINS, type ComponentKind } from './component-help.ts';

/** One flag the launcher would like to pass. */
export interface FlagWish {
  /** Without "--", e.g. "node-name". */
  flag: string;
  value: string;
  /** The cluster cannot work without it: a component lacking it is an error, not a skip. */
  required?: boolean;
}

export interface SelectedArgs {
  /** `--flag=value` for every wish the component supports, then `extra` as is. */
  args: string[];
  /** Optional flags the component does not have (yet). */
  skipped: string[];
}

/**
 * Keeps the wishes `supported` lists. A required flag it lacks throws, naming the component;
 * `extra` (the caller's own flags) is appended unchecked, so later flags win.
 */
export function selectArgs(kind: ComponentKind, supported: ReadonlySet<string>, wishes: FlagWish[], extra: string[] = []): SelectedArgs {
  const args: string[] = [];
  const skipped: string[] = [];
  for (const w of wishes) {
    if (supported.has(w.flag)) args.push(`--${w.flag}=${w.value}`);
    else if (w.required) throw new Error(`${kind} (${COMPONENT_MAINS[kind]}) has no --${w.flag} flag, which the local cluster needs (see its --help)`);
    else skipped.push(`--${w.flag}`);
  }
  return { args: [...args, ...extra], skipped };
}

/** Where a daemon reaches the apiserver: --master when it has it, else the kubeconfig. */
export function apiserverWishes(supported: ReadonlySet<string>, apiserverUrl: string, kubeconfig: string): FlagWish[] {
  if (supported.has('master')) return [{ flag: 'master', value: apiserverUrl }];
  return [{ flag: 'kubeconfig', value: kubeconfig, required: true }];
}
