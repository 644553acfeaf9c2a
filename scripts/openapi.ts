/**
 * Writes docs/openapi.json: the OpenAPI document that `GET /openapi.json` serves, generated
 * from the route schemas on a throwaway SQLite store. test/api/openapi.test.ts fails when the
 * committed file and the routes disagree: run `npm run openapi` after changing a route.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { createPostern } from '../src/main.js';

export async function generateOpenApi(): Promise<unknown> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postern-openapi-'));
  try {
    const postern = await createPostern(loadConfig({ POSTERN_LOG_LEVEL: 'silent' }, { dataDir, port: 0 }));
    try {
      await postern.app.ready();
      return postern.app.swagger();
    } finally {
      await postern.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const OPENAPI_FILE = path.join(import.meta.dirname, '..', 'docs', 'openapi.json');

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  fs.writeFileSync(OPENAPI_FILE, JSON.stringify(await generateOpenApi(), null, 2) + '\n');
  process.stdout.write(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}\n`);
}
