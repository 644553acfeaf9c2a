/**
 * The example page's script: Stytch's pre-built password UI, unmodified, against a Postern.
 * serve.ts bundles this file and hands it the public token and Postern's URL in
 * `window.POSTERN`.
 */
import { createStytchClient, Products, StytchResetPassword, StytchUI, type StytchClientOptions } from '@stytch/vanilla-js';

interface PageSettings {
  /** The project's public token (`public-token-test-…` or `public-token-live-…`). */
  publicToken: string;
  /** Postern's base URL, without a trailing slash, e.g. http://127.0.0.1:3000 (the SDK appends /sdk/v1/…). */
  apiUrl: string;
}

declare global {
  interface Window {
    POSTERN: PageSettings;
  }
}

const { publicToken, apiUrl } = window.POSTERN;

// `customBaseUrl` always means https on port 443 (production, behind TLS). For a plain-http
// Postern during development the SDK reads `endpoints`, which its public types leave out.
const options = (apiUrl.startsWith('https://') && new URL(apiUrl).port === ''
  ? { customBaseUrl: new URL(apiUrl).host }
  : { endpoints: { testAPIURL: apiUrl, liveAPIURL: apiUrl } }) as StytchClientOptions;
const client = createStytchClient(publicToken, options);

customElements.define('stytch-ui', StytchUI);
customElements.define('stytch-reset-password', StytchResetPassword);

const here = window.location.origin;
const config = {
  products: [Products.passwords],
  passwordOptions: {
    loginRedirectURL: `${here}/`,
    resetPasswordRedirectURL: `${here}/reset`,
    resetPasswordExpirationMinutes: 30,
  },
  sessionOptions: { sessionDurationMinutes: 60 },
};

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

const signedIn = byId('signed-in');
type UiElement = HTMLElement & { render(props: object): void };
let login = byId<UiElement>('login');
let reset = byId<UiElement>('reset');
let rendered: 'login' | 'reset' | null = null;

/** A new, empty copy of a UI element: the pre-built UI keeps its screen (say, "Log in") otherwise. */
function fresh(old: UiElement): UiElement {
  const el = document.createElement(old.tagName.toLowerCase()) as UiElement;
  el.id = old.id;
  el.hidden = true;
  old.replaceWith(el);
  return el;
}

function show(): void {
  const session = client.session.getSync();
  const params = new URLSearchParams(window.location.search);
  const resetToken = window.location.pathname === '/reset' ? params.get('token') : null;

  if (session && !resetToken) {
    const user = client.user.getSync();
    byId('user-email').textContent = user?.emails[0]?.email ?? '';
    byId('user-id').textContent = session.user_id;
    byId('session-id').textContent = session.session_id;
    byId('session-expires').textContent = session.expires_at;
    signedIn.hidden = false;
    login.hidden = true;
    reset.hidden = true;
    // After a logout the UI starts again from its first screen.
    if (rendered !== null) {
      login = fresh(login);
      reset = fresh(reset);
      rendered = null;
    }
    return;
  }
  signedIn.hidden = true;
  if (resetToken) {
    login.hidden = true;
    reset.hidden = false;
    if (rendered !== 'reset') reset.render({ client, config, passwordResetToken: resetToken, callbacks });
    rendered = 'reset';
  } else {
    reset.hidden = true;
    login.hidden = false;
    if (rendered !== 'login') login.render({ client, config, callbacks });
    rendered = 'login';
  }
}

const callbacks = {
  onEvent(event: { type: string }): void {
    document.body.dataset.lastEvent = event.type;
  },
  onError(error: { message: string }): void {
    document.body.dataset.lastError = error.message;
  },
};

byId<HTMLButtonElement>('logout').addEventListener('click', () => {
  client.session.revoke().then(
    () => show(),
    (err: unknown) => {
      document.body.dataset.lastError = String(err);
    },
  );
});

client.session.onChange(() => {
  // A finished reset signs the user in: leave the reset URL (its token is spent).
  if (client.session.getSync() && window.location.pathname === '/reset') window.history.replaceState(null, '', '/');
  show();
});
show();
