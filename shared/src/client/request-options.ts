// The options of the REST client's verbs, named after metav1's GetOptions, ListOptions,
// CreateOptions, UpdateOptions, PatchOptions and DeleteOptions (query parameters or body).

import type { ClientConfig } from './kubeconfig.ts';
import type { Clock } from '../clock/clock.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export type QueryValue = string | number | boolean | undefined | readonly string[];

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the server URL, e.g. /api/v1/namespaces/default/pods. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON unless it is already a string or bytes. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Overrides the client's maxRetries for this call (0 = one attempt). */
  maxRetries?: number;
  /** Headers and body timeout in ms; 0 disables it (watches). Default: the client's timeoutMs. */
  timeoutMs?: number;
}

export interface RestClientOptions {
  config: ClientConfig;
  /** Names the component in User-Agent (`kube-scheduler/v1.32.0 (linux/amd64) minik8s`). */
  component?: string;
  userAgent?: string;
  /** Client-side rate limit (defaults 50 qps, burst 100); qps <= 0 disables it. */
  qps?: number;
  burst?: number;
  /** Retries for 429/5xx/transport errors (default 8), backoff doubling from 100 ms up to 5 s. */
  maxRetries?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request headers/body timeout for non-watch requests (default 60 s). */
  timeoutMs?: number;
  clock?: Clock;
}

interface ObjectOptions {
  namespace?: string;
  subresource?: string;
  signal?: AbortSignal;
}

export interface GetOptions extends ObjectOptions {
  resourceVersion?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  limit?: number;
  continue?: string;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions {
  namespace?: string;
  /** Watch one object (sent as fieldSelector metadata.name=<name>). */
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
  maxRetries?: number;
}

export interface WriteOptions extends ObjectOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface CreateOptions extends WriteOptions {
  /** The parent object's name for a subresource create (pods/<name>/binding, /eviction). */
  name?: string;
}

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions extends ObjectOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteCollectionOptions extends Omit<DeleteOptions, 'subresource' | 'preconditions'> {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
  signal?: AbortSignal;
}
