// Errors of the storage layer, translated to API Status errors by the registry (which knows
// the resource and name the key stands for).

export type StorageErrorCode = 'KeyNotFound' | 'KeyExists' | 'Conflict' | 'Expired' | 'Unavailable' | 'InvalidObject';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string;
  /** For Conflict on a precondition: which one failed. For Expired: the compacted revision. */
  readonly detail?: string | number;

  constructor(code: StorageErrorCode, key: string, message: string, detail?: string | number) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    if (detail !== undefined) this.detail = detail;
  }
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}
