/** `postern serve | migrate | project … | keys … | rbac … | users unlock | outbox` */
import { Command, InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { loadConfig, ConfigError, type Config } from '../config/index.js';
import { defaultWorkers, serve } from './serve.js';
import { readOutbox } from '../email/outbox.js';
import { formatOutbox } from '../email/outbox-format.js';
import { formatEvents } from '../events/format.js';
import { unlockUser } from '../users/service.js';
import { countPepperUsage, formatPepperUsage } from '../passwords/pepper-usage.js';
import { listSigningKeys, rotateSigningKey } from '../sessions/rotation.js';
import { createKeySealer } from '../sessions/key-sealing.js';
import { openStore, type OpenedStore } from '../storage/open.js';
import type { Project } from '../projects/project.js';
import { SETTINGS, SettingsError, settingsByName } from '../projects/settings.js';
import { ProjectService } from '../projects/service.js';
import type { PublicTokenRecord } from '../storage/store.js';
import { rfc3339, systemClock } from '../clock.js';
import { PolicyError, policyToDocument } from '../rbac/document.js';
import { RbacService } from '../rbac/service.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a count is a positive integer');
  return n;
}

async function showOutbox(opts: { json?: boolean; last?: number }): Promise<void> {
  const cfg = config();
  if (cfg.email.smtp) process.stderr.write(`Note: SMTP is configured (${cfg.email.smtp.host}); new messages go there, not to the outbox.\n`);
  const messages = await readOutbox(cfg.email.outboxDir, { last: opts.last });
  process.stdout.write(formatOutbox(messages, { json: opts.json === true }));
}

function config(overrides: Partial<Config> = {}): Readonly<Config> {
  try {
    return loadConfig(process.env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(2);
    }
    throw err;
  }
}

async function serveCommand(opts: { port?: number; host?: string; workers?: number }): Promise<void> {
  const cfg = config({ ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.host ? { host: opts.host } : {}) });
  await serve(cfg, opts.workers ?? defaultWorkers());
}

/** Opens the configured store, migrated, for one command, and closes it after. */
async function withStore<T>(fn: (store: OpenedStore['store']) => Promise<T>): Promise<T> {
  const opened = openStore(config());
  try {
    await opened.migrate();
    return await fn(opened.store);
  } finally {
    await opened.store.close();
  }
}

function fail(message: string, code = 1): never {
  process.stderr.write(message + '\n');
  process.exit(code);
}

async function migrate(): Promise<void> {
  const opened = openStore(config());
  try {
    await opened.migrate();
    process.stdout.write(`Migrations applied (${opened.dialect}).\n`);
  } finally {
    await opened.store.close();
  }
}

async function createProject(opts: { live?: boolean; json?: boolean }): Promise<void> {
  const { projectId, secret, publicToken } = await withStore((store) => new ProjectService(store, systemClock).create({ live: opts.live === true }));
  if (opts.json) process.stdout.write(JSON.stringify({ project_id: projectId, secret, public_token: publicToken }) + '\n');
  else process.stdout.write(`project_id: ${projectId}\nsecret:     ${secret}\npublic_token: ${publicToken}\n`);
}

/** A project with its public tokens, as `project show` and `project set` print it. */
function printProject(project: Project, tokens: PublicTokenRecord[], json: boolean | undefined): void {
  const settings = settingsByName(project.settings);
  const publicTokens = tokens.map((t) => ({ public_token: t.token, created_at: rfc3339(t.createdAt) }));
  if (json) {
    process.stdout.write(JSON.stringify({ project_id: project.id, environment: project.environment, public_tokens: publicTokens, settings }) + '\n');
    return;
  }
  const lines = [`project_id: ${project.id}`, `environment: ${project.environment}`, 'public_tokens:'];
  for (const t of publicTokens) lines.push(`  ${t.public_token}  created ${t.created_at}`);
  lines.push('settings:');
  for (const [name, value] of Object.entries(settings)) lines.push(`  ${name} = ${Array.isArray(value) ? value.join(',') : String(value)}`);
  process.stdout.write(lines.join('\n') + '\n');
}

async function showProject(projectId: string, opts: { json?: boolean }): Promise<void> {
  const found = await withStore(async (store) => {
    const projects = new ProjectService(store, systemClock);
    const project = await projects.get(projectId);
    return project ? { project, tokens: (await projects.listPublicTokens(projectId)) ?? [] } : null;
  });
  if (!found) fail(`no project ${projectId}`);
  printProject(found.project, found.tokens, opts.json);
}

async function setProject(projectId: string, assignments: string[], opts: { json?: boolean }): Promise<void> {
  let changed: { project: Project; tokens: PublicTokenRecord[] } | null;
  try {
    changed = await withStore(async (store) => {
      const projects = new ProjectService(store, systemClock);
      const project = await projects.set(projectId, assignments);
      return project ? { project, tokens: (await projects.listPublicTokens(projectId)) ?? [] } : null;
    });
  } catch (err) {
    if (err instanceof SettingsError) fail(err.message, 2);
    throw err;
  }
  if (!changed) fail(`no project ${projectId}`);
  printProject(changed.project, changed.tokens, opts.json);
}

async function createPublicToken(projectId: string, opts: { json?: boolean }): Promise<void> {
  const added = await withStore((store) => new ProjectService(store, systemClock).createPublicToken(projectId));
  if (!added) fail(`no project ${projectId}`);
  const created = rfc3339(added.createdAt);
  process.stdout.write(opts.json ? JSON.stringify({ public_token: added.token, created_at: created }) + '\n' : `public_token: ${added.token}\n`);
}

async function listPublicTokens(projectId: string, opts: { json?: boolean }): Promise<void> {
  const tokens = await withStore((store) => new ProjectService(store, systemClock).listPublicTokens(projectId));
  if (!tokens) fail(`no project ${projectId}`);
  for (const t of tokens) {
    const created = rfc3339(t.createdAt);
    process.stdout.write(opts.json ? JSON.stringify({ public_token: t.token, created_at: created }) + '\n' : `${t.token}  created ${created}\n`);
  }
}

async function deletePublicToken(projectId: string, token: string): Promise<void> {
  const outcome = await withStore(async (store) => {
    const projects = new ProjectService(store, systemClock);
    return (await projects.get(projectId)) ? projects.deletePublicToken(projectId, token) : 'no_project';
  });
  if (outcome === 'no_project') fail(`no project ${projectId}`);
  if (outcome === 'not_found') fail(`no public token ${token} in project ${projectId}`);
  if (outcome === 'last') fail(`${token} is the project's only public token: create another one first`);
  process.stdout.write(`deleted ${token}; servers refuse it within 5 seconds\n`);
}

async function createSecret(projectId: string, opts: { json?: boolean }): Promise<void> {
  const added = await withStore((store) => new ProjectService(store, systemClock).createSecret(projectId));
  if (!added) fail(`no project ${projectId}`);
  const created = rfc3339(added.createdAt);
  process.stdout.write(
    opts.json
      ? JSON.stringify({ secret_id: added.secretId, secret: added.secret, created_at: created }) + '\n'
      : `secret_id: ${added.secretId}\nsecret:    ${added.secret}\n(shown only this once; every server accepts it within a second)\n`,
  );
}

async function listSecrets(projectId: string, opts: { json?: boolean }): Promise<void> {
  const secrets = await withStore((store) => new ProjectService(store, systemClock).listSecrets(projectId));
  if (!secrets) fail(`no project ${projectId}`);
  for (const s of secrets) {
    const created = rfc3339(s.createdAt);
    process.stdout.write(opts.json ? JSON.stringify({ secret_id: s.secretId, created_at: created }) + '\n' : `${s.secretId}  created ${created}\n`);
  }
}

async function deleteSecret(projectId: string, secretId: string): Promise<void> {
  const outcome = await withStore((store) => new ProjectService(store, systemClock).deleteSecret(projectId, secretId));
  if (outcome === 'not_found') fail(`no secret ${secretId} in project ${projectId}`);
  if (outcome === 'last') fail(`${secretId} is the project's only secret: create another one first`);
  process.stdout.write(`deleted ${secretId}; servers refuse it within 5 seconds\n`);
}

async function unlock(projectId: string, userId: string): Promise<void> {
  if (!(await withStore((store) => unlockUser(store, projectId, userId)))) fail(`no user ${userId} in project ${projectId}`);
  process.stdout.write(`unlocked ${userId}\n`);
}

async function rotateKeys(projectId: string, opts: { json?: boolean; immediate?: boolean }): Promise<void> {
  const sealer = createKeySealer(config().masterKeys);
  const rotated = await withStore(async (store) => {
    const project = await new ProjectService(store, systemClock).get(projectId);
    return project ? rotateSigningKey(store, project, systemClock.now(), { immediate: opts.immediate === true, sealer }) : null;
  });
  if (!rotated) fail(`no project ${projectId}`);
  const from = rfc3339(rotated.signsFrom);
  process.stdout.write(
    opts.json
      ? JSON.stringify({ kid: rotated.kid, signs_from: from }) + '\n'
      : `new signing key ${rotated.kid}: published now, signing from ${from}; the old keys stop signing 30 s later and leave the JWKS 5 minutes after that\n`,
  );
}

async function listKeys(projectId: string, opts: { json?: boolean }): Promise<void> {
  const keys = await withStore(async (store) => {
    const project = await new ProjectService(store, systemClock).get(projectId);
    return project ? listSigningKeys(store, projectId, systemClock.now()) : null;
  });
  if (!keys) fail(`no project ${projectId}`);
  if (opts.json) {
    process.stdout.write(keys.map((k) => JSON.stringify(k)).join('\n') + (keys.length ? '\n' : ''));
    return;
  }
  for (const k of keys) {
    process.stdout.write(`${k.kid}  ${k.state.padEnd(9)}  signs from ${k.signs_from}${k.retires_at ? `  retires ${k.retires_at}  unpublished ${k.unpublished_at}` : ''}\n`);
  }
}

async function pepperUsage(opts: { json?: boolean }): Promise<void> {
  const peppers = config().peppers;
  const usage = await withStore((store) => countPepperUsage(store, peppers));
  process.stdout.write(opts.json ? JSON.stringify(usage) + '\n' : formatPepperUsage(usage));
}

async function showEvents(projectId: string | undefined, opts: { json?: boolean; last?: number; user?: string; outcome?: string }): Promise<void> {
  const events = await withStore(async (store) => {
    if (projectId !== undefined && !(await new ProjectService(store, systemClock).get(projectId))) return null;
    return store.listAuthEvents({ projectId, userId: opts.user, outcome: opts.outcome, limit: opts.last ?? 50 });
  });
  if (!events) fail(`no project ${projectId}`);
  process.stdout.write(formatEvents(events, { json: opts.json === true, showProject: projectId === undefined }));
}

async function showPolicy(projectId: string): Promise<void> {
  const policy = await withStore(async (store) => ((await new ProjectService(store, systemClock).get(projectId)) ? new RbacService(store, systemClock).policy(projectId) : null));
  if (!policy) fail(`no project ${projectId}`);
  process.stdout.write(JSON.stringify(policyToDocument(policy), null, 2) + '\n');
}

async function setPolicy(projectId: string, file: string): Promise<void> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    fail(`cannot read a JSON policy from ${file}: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
  let policy;
  try {
    policy = await withStore((store) => new RbacService(store, systemClock).setPolicy(projectId, document));
  } catch (err) {
    if (err instanceof PolicyError) fail(`the policy in ${file} was not applied:\n` + err.problems.map((p) => `  ${p}`).join('\n'), 2);
    throw err;
  }
  if (!policy) fail(`no project ${projectId}`);
  process.stdout.write(
    `policy of ${projectId} set: ${policy.roles.length} roles, ${policy.resources.length} resources, ${policy.scopes.length} scopes; every server applies it to the next check (SDK caches within 5 minutes)\n`,
  );
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('postern').description("A self-hosted password-authentication server speaking Stytch's consumer API.");
  program
    .command('serve')
    .description('run the API (applies migrations first)')
    .option('--port <port>', 'port to listen on (default 3000, or POSTERN_PORT)', port)
    .option('--host <host>', 'address to listen on (default 127.0.0.1, or POSTERN_HOST)')
    .option('--workers <n>', 'server processes sharing the port (default: one per core)', count)
    .action(serveCommand);
  program.command('migrate').description('apply database migrations').action(migrate);
  const project = program.command('project').description('manage projects');
  project
    .command('create')
    .description('create a project and print its id, secret and public token')
    .option('--live', 'a live project (ids say "live" instead of "test")')
    .option('--json', 'print one JSON line {"project_id", "secret", "public_token"}')
    .action(createProject);
  project
    .command('show')
    .description("print a project's public tokens and settings (allowed origins and redirect URLs among them)")
    .argument('<project_id>')
    .option('--json', 'print one JSON line')
    .action(showProject);
  project
    .command('set')
    .description(`change settings: ${Object.keys(SETTINGS).join(', ')}`)
    .argument('<project_id>')
    .argument('<assignments...>', 'key=value pairs')
    .option('--json', 'print the result as one JSON line')
    .action(setProject);
  const secrets = project.command('secrets').description("manage a project's API secrets (several may be valid at once, for rotation)");
  secrets.command('create').description('add a secret to the project and print it (once)').argument('<project_id>').option('--json', 'print {"secret_id", "secret", "created_at"}').action(createSecret);
  secrets.command('list').description("list the project's secrets (ids and creation times; secrets are stored only as digests)").argument('<project_id>').option('--json', 'one JSON object per secret').action(listSecrets);
  secrets.command('delete').description('delete one secret (never the last one)').argument('<project_id>').argument('<secret_id>').action(deleteSecret);
  const publicTokens = project.command('public-tokens').description("manage a project's public tokens (they name the project to the browser SDK; several may be valid at once, for rotation)");
  publicTokens.command('create').description('add a public token to the project and print it').argument('<project_id>').option('--json', 'print {"public_token", "created_at"}').action(createPublicToken);
  publicTokens.command('list').description("list the project's public tokens, oldest first").argument('<project_id>').option('--json', 'one JSON object per token').action(listPublicTokens);
  publicTokens.command('delete').description('delete one public token (never the last one)').argument('<project_id>').argument('<public_token>').action(deletePublicToken);
  const keys = program.command('keys').description('manage JWT signing keys');
  keys
    .command('rotate')
    .description('publish a new signing key now; it signs 10 minutes later, after every SDK has cached it')
    .argument('<project_id>')
    .option('--immediate', 'sign with the new key at once (a compromised key)')
    .option('--json', 'print {"kid", "signs_from"}')
    .action(rotateKeys);
  keys.command('list').description("list a project's signing keys and their state").argument('<project_id>').option('--json', 'one JSON object per key').action(listKeys);
  const rbac = program.command('rbac').description("a project's RBAC policy: roles, resources and their actions, scopes");
  rbac.command('show').description('print the policy as JSON (the document `rbac set` takes)').argument('<project_id>').action(showPolicy);
  rbac
    .command('set')
    .description('replace the policy with the JSON document in a file; refused whole, every problem listed, when invalid')
    .argument('<project_id>')
    .argument('<file>', 'a JSON file {"roles": [...], "resources": [...], "scopes": [...]}')
    .action(setPolicy);
  const users = program.command('users').description('manage users');
  users
    .command('unlock')
    .description("clear a user's lock and failed-attempt count")
    .argument('<project_id>')
    .argument('<user_id>', 'user id or external id')
    .action(unlock);
  const passwords = program.command('passwords').description('password hashes');
  passwords
    .command('peppers')
    .description('count stored password hashes per pepper key id (POSTERN_PEPPER): an older key can go once it counts 0')
    .option('--json', 'print {"current", "none", "keys": [{"id", "hashes", "state"}]}')
    .action(pepperUsage);
  program
    .command('outbox')
    .description('print the emails kept in the local outbox (used when no SMTP server is configured)')
    .option('--json', 'one JSON object per line')
    .option('--last <n>', 'only the newest n messages', count)
    .action(showOutbox);
  program
    .command('events')
    .description('print authentication attempts (newest last), of every project or of one')
    .argument('[project_id]')
    .option('--json', 'one JSON object per line')
    .option('--last <n>', 'only the newest n events (default 50)', count)
    .option('--user <user_id>', "only this user's events")
    .option('--outcome <outcome>', 'only this outcome: success or a Stytch error_type')
    .action(showEvents);
  await program.parseAsync(argv);
}
