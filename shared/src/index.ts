export * from './api/types.ts';
export * from './api/status-error.ts';
export * from './api/resources.ts';
export * from './labels/index.ts';
export * from './fields/index.ts';
