/**
 * Which browser origins may call a project's frontend routes (`/sdk/v1`), and which URLs its
 * reset emails may link to. Both are allowlists kept in the project's settings; a test project
 * also trusts loopback addresses (a developer's own machine) unless `allow_localhost` is off.
 * Live projects trust only what is listed.
 */
import type { Project } from './project.js';

/** localhost (and its subdomains), 127.0.0.0/8 and [::1]: addresses only this machine can serve. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function parse(raw: string): URL | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

function trustsLoopback(project: Project): boolean {
  return project.environment === 'test' && project.settings.allowLocalhost;
}

/** Whether a browser on `origin` (the request's Origin header) may use the project's frontend routes. */
export function originAllowed(project: Project, origin: string): boolean {
  const url = parse(origin);
  if (!url || url.origin !== origin) return false;
  return project.settings.allowedOrigins.includes(url.origin) || (trustsLoopback(project) && isLoopbackHost(url.hostname));
}

/**
 * Whether a reset email may link to `raw`: it must match an allowed URL (the listed ones and
 * the two defaults) in scheme, host, port and path; its own query string may differ (it is kept
 * and the token is added to it). In a test project, loopback URLs need no listing.
 */
export function redirectUrlAllowed(project: Project, raw: string): boolean {
  const url = parse(raw);
  if (!url || url.username !== '' || url.password !== '') return false;
  if (trustsLoopback(project) && isLoopbackHost(url.hostname)) return true;
  const { allowedRedirectUrls, resetPasswordRedirectUrl, loginRedirectUrl } = project.settings;
  return [...allowedRedirectUrls, resetPasswordRedirectUrl, loginRedirectUrl].some((allowed) => {
    const a = allowed === '' ? null : parse(allowed);
    return a !== null && a.origin === url.origin && a.pathname === url.pathname;
  });
}
