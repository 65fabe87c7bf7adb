// `$(VAR)` references in command, args and env values, as Kubernetes expands them
// (third_party/forked/golang/expansion): a defined name is replaced, an undefined reference
// stays as written, and `$$` is an escaped `$` (so `$$(VAR)` gives the text `$(VAR)`).

export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        // An unclosed reference is kept as written.
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = name ? lookup(name) : undefined;
      out += value ?? input.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
