// @kubernetes/client-node 2.x needs Node >= 22.19 (its undici); say so plainly instead of
// failing somewhere inside it.

export function requireNodeForClientNode(): void {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 19)) {
    throw new Error(`@kubernetes/client-node 2.x needs Node >= 22.19; this is Node ${process.versions.node} (use /opt/node24/bin first on PATH)`);
  }
}
