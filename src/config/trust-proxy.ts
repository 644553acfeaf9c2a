/**
 * POSTERN_TRUST_PROXY: whose X-Forwarded-For Postern believes when it names the client
 * (`request.ip`: per-address rate limits, the audit trail, logs). Believing a peer that is not
 * a proxy of ours would let any caller pick its own address, and so its own rate-limit bucket.
 */
import net from 'node:net';

export type TrustProxy =
  /** The connection's address is the client; X-Forwarded-For is ignored (the default). */
  | { mode: 'none' }
  /** Every peer is a proxy: the client is the first (leftmost) X-Forwarded-For address. */
  | { mode: 'all' }
  /**
   * The nearest `hops` addresses (the connection's, then X-Forwarded-For from the right) are
   * proxies; the client is the address before them.
   */
  | { mode: 'hops'; hops: number }
  /** Peers in these addresses or CIDR ranges are proxies; the client is the nearest address outside them. */
  | { mode: 'addresses'; addresses: string[] };

const MAX_HOPS = 32;
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One entry of an address list: an IPv4 or IPv6 address, optionally `/prefix`; or a range name. */
function validEntry(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  // A zone id (fe80::1%eth0) never appears in a peer address as Fastify sees it.
  const family = address.includes('%') ? 0 : net.isIP(address);
  if (family === 0) return false;
  if (slash < 0) return true;
  const prefix = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= max;
}

export function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  const value = (raw ?? '').trim();
  if (value === '' || value.toLowerCase() === 'false') return { mode: 'none' };
  if (value.toLowerCase() === 'true') return { mode: 'all' };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) {
      problems.push(`POSTERN_TRUST_PROXY: a hop count is at most ${MAX_HOPS} (got ${value})`);
      return { mode: 'none' };
    }
    return hops === 0 ? { mode: 'none' } : { mode: 'hops', hops };
  }
  const addresses = value.split(',').map((e) => e.trim());
  const bad = addresses.filter((e) => !validEntry(e));
  if (bad.length > 0) {
    problems.push(
      `POSTERN_TRUST_PROXY must be false, true, a hop count or a comma-separated list of proxy addresses and CIDR ranges (IPv4 or IPv6, or loopback, linklocal, uniquelocal); not valid: ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
    );
    return { mode: 'none' };
  }
  return { mode: 'addresses', addresses };
}
