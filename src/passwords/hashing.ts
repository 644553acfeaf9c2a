import { hash, verify } from '@node-rs/argon2';
import type { Argon2Params } from '../config/index.js';

// @node-rs/argon2 exports `Algorithm` as an ambient const enum, which tsx erases to
// `undefined` (silently hashing with argon2d's default). Use the numeric value: 2 = argon2id.
const ARGON2ID = 2;

/** A new argon2id hash in PHC form; the salt is drawn by the library from the OS CSPRNG. */
export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return hash(password, {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  });
}

/** Verifies exactly what was received: no trimming, normalization or truncation. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (!stored.startsWith('$argon2')) return false;
  try {
    return await verify(stored, password);
  } catch {
    // A malformed stored hash never verifies.
    return false;
  }
}
