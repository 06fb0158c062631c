// The access token lives in memory and in sessionStorage (it survives a reload of this tab, not
// the closing of the browser, and is never written to localStorage), together with its expiry.
// When it expires, or the API answers 401, the store is cleared with a notice for the sign-in
// page. React reads it through useSyncExternalStore.

export interface AuthSnapshot {
  token: string | null;
  /** Epoch milliseconds. */
  expiresAt: number | null;
  /** Why the user was signed out, shown on the sign-in page. */
  notice: string | null;
}

export const STORAGE_KEY = "ailp.auth";
export const EXPIRED_NOTICE = "Your session has expired. Please sign in again.";
export const UNAUTHORIZED_NOTICE = "Your session has expired or is no longer valid. Please sign in again.";
/** Sign out a little before the server would refuse the token. */
const EXPIRY_MARGIN_MS = 5_000;
const MAX_TIMEOUT_MS = 2_147_000_000;

type Listener = () => void;

function readStorage(): { token: string; expiresAt: number } | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "token" in parsed &&
      "expiresAt" in parsed &&
      typeof parsed.token === "string" &&
      typeof parsed.expiresAt === "number"
    ) {
      return { token: parsed.token, expiresAt: parsed.expiresAt };
    }
  } catch {
    /* unreadable: treat as signed out */
  }
  return null;
}

function writeStorage(value: { token: string; expiresAt: number } | null): void {
  try {
    if (value) window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage full or disabled: the token stays in memory only */
  }
}

export class TokenStore {
  private snapshot: AuthSnapshot = { token: null, expiresAt: null, notice: null };
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly now: () => number;

  constructor(now: () => number = () => Date.now()) {
    this.now = now;
  }

  /** Restore a token saved by this tab; an expired one is dropped with a notice. */
  load(): void {
    const saved = readStorage();
    if (!saved) return;
    if (saved.expiresAt - EXPIRY_MARGIN_MS <= this.now()) {
      writeStorage(null);
      this.update({ token: null, expiresAt: null, notice: EXPIRED_NOTICE });
      return;
    }
    this.update({ token: saved.token, expiresAt: saved.expiresAt, notice: null });
    this.schedule();
  }

  get = (): AuthSnapshot => this.snapshot;

  get token(): string | null {
    const { token, expiresAt } = this.snapshot;
    if (token && expiresAt !== null && expiresAt - EXPIRY_MARGIN_MS <= this.now()) {
      this.expire(EXPIRED_NOTICE);
      return null;
    }
    return token;
  }

  set(token: string, expiresInSeconds: number): void {
    const expiresAt = this.now() + expiresInSeconds * 1000;
    writeStorage({ token, expiresAt });
    this.update({ token, expiresAt, notice: null });
    this.schedule();
  }

  /** Sign out; `notice` is shown on the sign-in page. */
  expire(notice: string | null = null): void {
    this.clearTimer();
    writeStorage(null);
    this.update({ token: null, expiresAt: null, notice });
  }

  clearNotice(): void {
    if (this.snapshot.notice !== null) this.update({ ...this.snapshot, notice: null });
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private update(next: AuthSnapshot): void {
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }

  private schedule(): void {
    this.clearTimer();
    const { expiresAt } = this.snapshot;
    if (expiresAt === null) return;
    const delay = Math.min(Math.max(expiresAt - EXPIRY_MARGIN_MS - this.now(), 0), MAX_TIMEOUT_MS);
    this.timer = setTimeout(() => this.expire(EXPIRED_NOTICE), delay);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** The app's store. */
export const tokenStore = new TokenStore();
