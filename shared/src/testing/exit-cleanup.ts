// Last-chance cleanup when a test process exits without stopping what it started.

const tasks = new Set<() => void>();
let installed = false;

/**
 * Runs `task` when the process exits (normally or through process.exit). The task must be
 * synchronous: nothing asynchronous runs after 'exit'. A process killed by a signal runs no
 * hook at all, so the resources need a second line of defence (see etcd-container.ts's sweep).
 * Returns a function that unregisters the task (call it once the resource is cleaned up).
 */
export function onProcessExit(task: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const t of tasks) {
        try {
          t();
        } catch {
          // Best effort: the process is going away anyway.
        }
      }
    });
  }
  tasks.add(task);
  return () => tasks.delete(task);
}
