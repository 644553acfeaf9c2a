/**
 * The outbox: with no SMTP server configured, each message becomes one JSON file in the data
 * dir, so a developer can finish a reset flow on a laptop (`postern outbox`).
 */
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rfc3339, type Clock } from '../clock.js';
import { randomToken } from '../random.js';
import { checkRecipient } from './address.js';
import { EmailDeliveryError, describeFailure } from './errors.js';
import type { Mailer, OutgoingEmail } from './mailer.js';

export interface OutboxMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** RFC 3339, UTC. */
  sent_at: string;
}

// `<ms, 15 digits>-<sequence, 6 digits>-<random>.json`: fixed widths make name order equal send
// order, the sequence orders messages of one millisecond, the random part keeps two processes
// sharing a folder from colliding.
const FILE_NAME = /^\d{15}-\d{6}-[A-Za-z0-9_-]+\.json$/;

export function createOutboxMailer(dir: string, from: string, clock: Clock): Mailer {
  let lastMs = -1;
  let sequence = 0;
  const nextName = (): string => {
    // Never step back, even if the clock does, so names stay in send order.
    const now = clock.now();
    if (now > lastMs) {
      lastMs = now;
      sequence = 0;
    } else {
      sequence += 1;
    }
    return `${String(lastMs).padStart(15, '0')}-${String(sequence).padStart(6, '0')}-${randomToken(6)}.json`;
  };

  return {
    async send(message: OutgoingEmail): Promise<void> {
      checkRecipient(message.to);
      const record: OutboxMessage = { ...pick(message), from, sent_at: rfc3339(clock.now()) };
      const name = nextName();
      // Dot-prefixed and not `.json`, so readOutbox never sees a half-written file.
      const temp = path.join(dir, `.${name}.tmp`);
      try {
        // Owner-only: every file holds a live reset link.
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFile(temp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
        await rename(temp, path.join(dir, name));
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        throw new EmailDeliveryError(`outbox write failed: ${describeFailure(err)}`, { cause: err });
      }
    },
    close: () => Promise.resolve(),
  };
}

/** Messages in send order; with `last`, only the newest `last` of them (still oldest first). */
export async function readOutbox(dir: string, opts: { last?: number } = {}): Promise<OutboxMessage[]> {
  const { last } = opts;
  if (last !== undefined && (!Number.isInteger(last) || last < 0)) {
    throw new RangeError('last must be a non-negative integer');
  }
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files = names.filter((n) => FILE_NAME.test(n)).sort();
  // slice(-0) would be the whole list.
  const chosen = last === undefined ? files : last === 0 ? [] : files.slice(-last);
  return Promise.all(chosen.map(async (name) => parseMessage(await readFile(path.join(dir, name), 'utf8'), name)));
}

function pick(message: OutgoingEmail): Pick<OutboxMessage, 'to' | 'subject' | 'text' | 'html'> {
  // Copy the known fields only: the file format must not change with what a caller passes.
  return { to: message.to, subject: message.subject, text: message.text, html: message.html };
}

const FIELDS = ['to', 'from', 'subject', 'text', 'html', 'sent_at'] as const;

function parseMessage(content: string, name: string): OutboxMessage {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    value = undefined;
  }
  const record = value as Record<string, unknown> | null | undefined;
  if (typeof record !== 'object' || record === null || !FIELDS.every((f) => typeof record[f] === 'string')) {
    throw new Error(`outbox file ${name} is not a valid message`);
  }
  const message = {} as Record<(typeof FIELDS)[number], string>;
  for (const f of FIELDS) message[f] = record[f] as string;
  return message;
}
