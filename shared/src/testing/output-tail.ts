// The recent output of a child process, kept in memory for error messages and logs().

/** Keeps the last `limit` characters written to it; older text is dropped (and says so). */
export class OutputTail {
  #text = '';
  #dropped = false;
  readonly limit: number;

  constructor(limit = 1 << 20) {
    this.limit = limit;
  }

  append(chunk: string | Buffer): void {
    this.#text += chunk.toString();
    if (this.#text.length > this.limit) {
      this.#text = this.#text.slice(this.#text.length - this.limit);
      this.#dropped = true;
    }
  }

  toString(): string {
    return this.#dropped ? `[...earlier output dropped]\n${this.#text}` : this.#text;
  }
}
