/** Renders outbox messages for `postern outbox [--json]`. */
import type { OutboxMessage } from './outbox.js';

/** `json`: one JSON object per line (for scripts); otherwise a listing with the text body. */
export function formatOutbox(messages: readonly OutboxMessage[], opts: { json: boolean }): string {
  if (opts.json) return messages.map((m) => JSON.stringify(m) + '\n').join('');
  if (messages.length === 0) return 'The outbox is empty.\n';
  return messages.map(formatOne).join('\n');
}

function formatOne(m: OutboxMessage): string {
  // The text body comes last and whole: it holds the link the developer has to open.
  const lines = [`=== ${m.sent_at}`, `From:    ${m.from}`, `To:      ${m.to}`, `Subject: ${m.subject}`, '', m.text.trimEnd(), ''];
  return lines.map(printable).join('\n');
}

// Outbox files are plain files anyone with access may edit; keep escape sequences in them
// from driving the terminal that prints them.
function printable(line: string): string {
  return line.replace(/[^\P{Cc}\n\t]/gu, '');
}
