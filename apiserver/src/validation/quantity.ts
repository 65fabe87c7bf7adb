// The quantity parser lives in shared (shared/src/api/quantity.ts) so every component reads
// quantities the same way. This file re-exports it for the apiserver's validation and
// defaulting.
// TODO(lead): once shared/src/index.ts exports './api/quantity.ts', import from '@minik8s/shared'.
export * from '../../../shared/src/api/quantity.ts';
