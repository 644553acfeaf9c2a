/**
 * The OpenAPI document (`GET /openapi.json`, and its committed copy docs/openapi.json) against
 * the route table: every route, and nothing else, with its method, summary, credentials, path
 * parameters and the very request schemas that validate requests. A route added, removed or
 * changed without the document following fails here (regenerate with `npm run openapi`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HttpDeps } from '../../src/http/deps.js';
import { SUMMARIES, operationKey } from '../../src/http/openapi.js';
import { routes, type RouteDef } from '../../src/http/routes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ROOT = path.join(import.meta.dirname, '..', '..');
// The table's shape does not depend on the services behind it.
const TABLE: RouteDef[] = routes({} as HttpDeps);
const EXTRA = ['GET /healthz', 'GET /readyz', 'GET /metrics'];

type Operation = {
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
};
type Doc = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

const openApiPath = (url: string) => url.replace(/:([a-z_]+)/g, '{$1}');
/**
 * A schema as plain JSON (TypeBox marks its objects with symbol keys), with a record's
 * `patternProperties: {"^.*$": X}` spelled `additionalProperties: X`, as the generator writes
 * it: the two say the same.
 */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const { patternProperties, ...rest } = value as { patternProperties?: Record<string, unknown> };
    const keys = Object.keys(patternProperties ?? {});
    if (patternProperties && keys.length === 1 && keys[0] === '^.*$') return { ...rest, additionalProperties: patternProperties['^.*$'] };
    return value;
  }) as unknown;
}

describe('OpenAPI document', () => {
  let s: TestServer;
  let doc: Doc;

  before(async () => {
    s = await startTestServer('sqlite');
    const res = await s.request('GET', '/openapi.json', undefined, { auth: null });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    doc = res.body as Doc;
  });
  after(() => s.close());

  it('is OpenAPI 3.1 for this version of Postern, with both credential schemes', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'Postern');
    assert.equal(doc.info.version, pkg.version);
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['projectSecret', 'publicToken']);
  });

  it('lists exactly the routes of the table (and the health check)', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const expected = [...TABLE.map((r) => `${r.method} ${openApiPath(r.url)}`), ...EXTRA];
    assert.deepEqual(documented.sort(), expected.sort());
    assert.equal(doc.paths['/openapi.json'], undefined, 'the document does not describe itself');
  });

  it('every route has a summary, and no summary names a route that is gone', () => {
    const keys = new Set(TABLE.map((r) => operationKey(r.method, r.url)));
    for (const key of keys) assert.ok(SUMMARIES[key], `${key} has no summary in src/http/openapi.ts`);
    for (const key of Object.keys(SUMMARIES)) assert.ok(keys.has(key), `${key} has a summary but no route`);
    for (const r of TABLE) assert.equal(doc.paths[openApiPath(r.url)]![r.method.toLowerCase()]!.summary, SUMMARIES[operationKey(r.method, r.url)]);
  });

  it("states each route's credentials, path parameters, request schema and error envelope", () => {
    const security: Record<RouteDef['auth'], unknown> = {
      project: [{ projectSecret: [] }],
      optional: [{ projectSecret: [] }, {}],
      public_token: [{ publicToken: [] }],
      none: [],
    };
    for (const r of TABLE) {
      const where = `${r.method} ${r.url}`;
      const op = doc.paths[openApiPath(r.url)]![r.method.toLowerCase()]!;
      assert.deepEqual(op.security, security[r.auth], `${where}: security`);
      assert.deepEqual(op.tags?.length, 1, where);

      const params = [...r.url.matchAll(/:([a-z_]+)/g)].map((m) => m[1]);
      const inPath = (op.parameters ?? []).filter((p) => p.in === 'path');
      assert.deepEqual(inPath.map((p) => p.name), params, `${where}: path parameters`);
      for (const p of inPath) assert.equal(p.required, true, `${where}: ${p.name} is required`);

      const body = r.schema?.body;
      if (body) assert.deepEqual(op.requestBody?.content['application/json']?.schema, plain(body), `${where}: the request body is the validating schema`);
      else assert.equal(op.requestBody, undefined, `${where}: no request body`);

      const query = r.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
      const inQuery = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      assert.deepEqual(inQuery.sort(), Object.keys(query?.properties ?? {}).sort(), `${where}: query parameters`);

      assert.ok(op.responses['200'], `${where}: success`);
      const error = op.responses['4XX'] as { content: Record<string, { schema: { required: string[] } }> };
      assert.deepEqual(error.content['application/json']!.schema.required, ['status_code', 'request_id', 'error_type', 'error_message', 'error_url'], `${where}: error envelope`);
    }
  });

  it('documenting responses does not change them: fields outside the documented shape are still sent', async () => {
    const res = await s.request('POST', '/v1/passwords/strength_check', { password: 'plinth mango quasar 7x!' });
    assert.equal(res.status, 200);
    for (const field of ['request_id', 'status_code', 'valid_password', 'score', 'breached_password', 'strength_policy', 'breach_detection_on_create', 'feedback']) {
      assert.ok(field in res.body, `strength_check still answers ${field}`);
    }
  });

  it('the committed docs/openapi.json is the served document (regenerate with `npm run openapi`)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'openapi.json'), 'utf8')) as unknown;
    assert.deepEqual(committed, doc, 'docs/openapi.json is stale: run `npm run openapi`');
  });
});
