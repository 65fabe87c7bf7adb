// The one error the patch functions throw for a bad patch (never for a bug). `code` is the
// HTTP status Kubernetes answers for it: 400 BadRequest when the patch itself is malformed,
// 422 Unprocessable (reason Invalid) when a well-formed patch cannot be applied to this
// object (a json-patch `test` that fails, a path that does not exist, a list of lists...).

export type PatchErrorCode = 400 | 422;

export class PatchError extends Error {
  readonly code: PatchErrorCode;

  constructor(message: string, code: PatchErrorCode = 400) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
  }
}
