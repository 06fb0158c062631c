import { afterEach, describe, expect, it, vi } from "vitest";

import { EXPIRED_NOTICE, STORAGE_KEY, TokenStore } from "./token-store";

describe("TokenStore", () => {
  afterEach(() => vi.useRealTimers());

  it("keeps the token in memory and sessionStorage, never localStorage", () => {
    const store = new TokenStore();
    store.set("abc", 3600);
    expect(store.token).toBe("abc");
    expect(window.sessionStorage.getItem(STORAGE_KEY)).toContain("abc");
    const local = Array.from({ length: window.localStorage.length }, (_, i) => window.localStorage.getItem(window.localStorage.key(i) ?? ""));
    expect(local.join()).not.toContain("abc");
  });

  it("restores a saved token after a reload", () => {
    new TokenStore().set("abc", 3600);
    const reloaded = new TokenStore();
    reloaded.load();
    expect(reloaded.token).toBe("abc");
  });

  it("drops an expired token on load, with a notice", () => {
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token: "old", expiresAt: Date.now() - 1000 }));
    const store = new TokenStore();
    store.load();
    expect(store.token).toBeNull();
    expect(store.get().notice).toBe(EXPIRED_NOTICE);
    expect(window.sessionStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("signs out when the token expires", () => {
    vi.useFakeTimers();
    const store = new TokenStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.set("abc", 60);
    vi.advanceTimersByTime(61_000);
    expect(store.get()).toEqual({ token: null, expiresAt: null, notice: EXPIRED_NOTICE });
    expect(listener).toHaveBeenCalled();
  });

  it("clears the notice once read", () => {
    const store = new TokenStore();
    store.expire("bye");
    expect(store.get().notice).toBe("bye");
    store.clearNotice();
    expect(store.get().notice).toBeNull();
  });
});
