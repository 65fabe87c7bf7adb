// `node deploy/src/healthcheck.ts <url>`: exits 0 when GET <url> answers 200 within 3 s, else
// 1. Compose's healthchecks use it: the images need no curl or wget, only node.

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node deploy/src/healthcheck.ts <url>\n');
  process.exit(2);
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  const body = await res.text();
  if (res.status !== 200) {
    process.stderr.write(`${url}: HTTP ${res.status} ${body.slice(0, 200)}\n`);
    process.exit(1);
  }
} catch (err) {
  process.stderr.write(`${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}\n`);
  process.exit(1);
}
