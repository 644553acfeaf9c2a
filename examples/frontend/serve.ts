/**
 * Serves the example page: index.html with the page's settings filled in, and app.ts bundled
 * for the browser by esbuild (once, at start). Run it beside a Postern:
 *
 *   npm run example:frontend -- --public-token public-token-test-… [--api http://127.0.0.1:3000] [--port 8080]
 *
 * and open http://localhost:8080/. A test project accepts localhost origins and reset links
 * without listing them; a live one needs `postern project set ID allowed_origins=…` and
 * `allowed_redirect_urls=…`. The browser tests (test/browser) start it the same way.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

export interface ExampleOptions {
  publicToken: string;
  /** Postern's base URL. */
  apiUrl: string;
  port?: number;
  host?: string;
}

export interface ExampleServer {
  /** The page's origin, e.g. http://localhost:8080 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

const here = import.meta.dirname;

/** `<script>` that hands the settings to app.ts; `<` is escaped so no value can end the script. */
function settingsScript(opts: ExampleOptions): string {
  const json = JSON.stringify({ publicToken: opts.publicToken, apiUrl: opts.apiUrl.replace(/\/+$/, '') });
  return `<script>window.POSTERN = ${json.replace(/</g, '\\u003c')};</script>`;
}

export async function startExample(opts: ExampleOptions): Promise<ExampleServer> {
  const bundle = await build({
    entryPoints: [path.join(here, 'app.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.contents;
  const page = (await fs.readFile(path.join(here, 'index.html'), 'utf8')).replace('<!--POSTERN_SETTINGS-->', settingsScript(opts));

  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://page');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (pathname === '/' || pathname === '/reset') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
    } else if (pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(script);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  const host = opts.host ?? 'localhost';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'public-token': { type: 'string' },
      api: { type: 'string', default: 'http://127.0.0.1:3000' },
      port: { type: 'string', default: '8080' },
    },
  });
  const publicToken = values['public-token'] ?? process.env.POSTERN_PUBLIC_TOKEN;
  if (!publicToken) {
    process.stderr.write('give --public-token (printed by `postern serve` on first start, or `postern project show ID`)\n');
    process.exit(2);
  }
  const example = await startExample({ publicToken, apiUrl: values.api, port: Number(values.port) });
  process.stdout.write(`example page on ${example.url}/ (Postern at ${values.api})\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
