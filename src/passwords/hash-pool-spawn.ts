/**
 * Starting a worker thread whose entry module sits next to the calling module, both when
 * Postern runs from TypeScript source under tsx and when it runs compiled from dist/.
 *
 * The same technique as strength-pool.ts, factored out so that the hash pool does not carry
 * a second copy of it; strength-pool.ts could switch to this helper too.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The URL of `<name>.ts` or `<name>.js` beside `fromUrl`. The caller's own extension is tried
 * first: from source the `.ts` entry is the current one, and a stale compiled `.js` that
 * happens to lie next to it must not win.
 */
export function siblingModuleUrl(fromUrl: string, name: string): URL {
  const extensions = fromUrl.endsWith('.ts') ? ['.ts', '.js'] : ['.js', '.ts'];
  for (const ext of extensions) {
    const url = new URL(`./${name}${ext}`, fromUrl);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`${name} not found next to ${fromUrl}`);
}

/**
 * Starts a worker on `url`. A `.ts` entry is loaded through tsx's `tsImport`, from a small
 * eval'd bootstrap: Node 20 does not apply the `--import tsx` loader hooks to workers even
 * though they inherit execArgv (tsx issue #354, node issue #47747), so `new Worker(url)` would
 * fail on the `.ts` extension. Options such as workerData pass through unchanged.
 */
export function spawnModuleWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { execArgv: fileWorkerExecArgv(), ...options });
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(url.href);
  return new Worker(`import(${api}).then((tsx) => tsx.tsImport(${entry}, ${entry}));`, { ...options, eval: true });
}

/**
 * The parent's execArgv without `--input-type`: a worker inherits execArgv, and a process
 * started as `node --input-type=module -e …` would otherwise refuse to load a file entry
 * (ERR_INPUT_TYPE_NOT_ALLOWED).
 */
function fileWorkerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--input-type') i++;
    else if (!arg.startsWith('--input-type=')) out.push(arg);
  }
  return out;
}
