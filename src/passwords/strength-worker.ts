/**
 * Worker-thread entry for the strength scorer (strength-pool.ts): zxcvbn is CPU-bound for tens of
 * milliseconds, which must not stall the HTTP event loop, and a runaway call must be killable.
 */
import { parentPort } from 'node:worker_threads';
import { scoreLocally } from './strength-rule.js';
import type { ScoreRequest, WorkerMessage } from './strength-pool.js';

const port = parentPort;
if (port === null) throw new Error('strength-worker must run in a worker thread');

port.on('message', (request: ScoreRequest) => {
  let reply: WorkerMessage;
  try {
    reply = { kind: 'result', id: request.id, result: scoreLocally(request.password, request.userInputs) };
  } catch (err) {
    reply = { kind: 'error', id: request.id, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});

const ready: WorkerMessage = { kind: 'ready' };
port.postMessage(ready);
