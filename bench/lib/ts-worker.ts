import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module. Node 20 does not apply `--import tsx` hooks
 * inside workers, so the module is loaded through tsx's documented `tsImport` API from a small
 * evaluated bootstrap.
 */
export function tsWorker(url: URL, options: WorkerOptions = {}): Worker {
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(url.href);
  return new Worker(`import(${api}).then((tsx) => tsx.tsImport(${entry}, ${entry}));`, { ...options, eval: true });
}
