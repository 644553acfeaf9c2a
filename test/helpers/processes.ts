/** Real `postern serve` processes for tests that need more than one server, or a real CLI. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const CLI = ['--import', 'tsx', path.join(import.meta.dirname, 'cli.ts')];

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  out(): string;
  err(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

export async function startServe(env: Record<string, string | undefined>, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', ...args], {
    env: { ...process.env, POSTERN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/listening on (https?:\/\/\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      assert.fail(`serve did not start: ${out} ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: /listening on (https?:\/\/\S+)/.exec(out)![1]!,
    child,
    out: () => out,
    err: () => err,
    exited,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
