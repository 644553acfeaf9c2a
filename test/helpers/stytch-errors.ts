/** Assertions on the errors the official `stytch` client throws, for tests that drive it. */
import assert from 'node:assert/strict';
import { StytchError } from 'stytch';

const REQUEST_ID = /^request-id-test-[0-9a-f-]{36}$/;

/**
 * Awaits `call` and asserts it failed with a Stytch error of this status and type, in the
 * full envelope (request id, message, error_url). Returns the error for further checks.
 */
export async function rejectsWith(call: Promise<unknown>, status: number, type: string): Promise<StytchError> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof StytchError, `expected a StytchError, got ${String(err)}`);
    assert.equal(err.status_code, status, `${err.error_type}: ${err.error_message}`);
    assert.equal(err.error_type, type);
    assert.match(err.request_id, REQUEST_ID);
    assert.equal(typeof err.error_message, 'string');
    assert.equal(err.error_url, `https://stytch.com/docs/api/errors/${status}#${type}`);
    return err;
  }
  assert.fail(`expected ${status} ${type}, but the call succeeded`);
}
