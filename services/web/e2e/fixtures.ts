import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
export const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR ?? `${repoRoot}test-artifacts/screenshots`;

/** Collects console errors and uncaught exceptions; a test fails if any were not expected. */
class ConsoleWatcher {
  readonly messages: string[] = [];
  private allowed: RegExp[] = [];

  constructor(page: Page) {
    page.on("console", (message) => {
      if (message.type() === "error") this.messages.push(`console.error: ${message.text()}`);
    });
    page.on("pageerror", (error) => this.messages.push(`uncaught: ${error.message}`));
  }

  /** Expect errors like this one (e.g. the 401 a revoked token causes on purpose). */
  allow(pattern: RegExp): void {
    this.allowed.push(pattern);
  }

  unexpected(): string[] {
    return this.messages.filter((message) => !this.allowed.some((pattern) => pattern.test(message)));
  }
}

export const test = base.extend<{ consoleErrors: ConsoleWatcher }>({
  consoleErrors: [
    async ({ page }, use) => {
      const watcher = new ConsoleWatcher(page);
      await use(watcher);
      expect(watcher.unexpected(), "no console errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** A screenshot of the current screen, named after the screen and the viewport (project). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const project = test.info().project.name;
  await page.evaluate(() => document.fonts.ready);
  // Nothing may be wider than the screen (checked on every screen we photograph).
  // (innerWidth will not do: a phone widens its layout viewport to fit what overflows.)
  const width = page.viewportSize()?.width ?? 0;
  const overflow = (await page.evaluate(() => document.documentElement.scrollWidth)) - width;
  expect(overflow, `${name}: the page is ${overflow}px wider than the viewport`).toBeLessThanOrEqual(0);
  // Phones: what is on screen. Desktops: the whole page from its top (the header is sticky).
  if (project !== "phone") await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({
    path: `${SCREENSHOT_DIR}/${name}-${project}.png`,
    fullPage: project !== "phone",
    animations: "disabled",
    caret: "hide",
  });
}

export function uniqueName(prefix: string): string {
  const project = test.info().project.name;
  return `${prefix}_${project}_${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** The bearer token the app keeps in sessionStorage. */
export async function tokenOf(page: Page): Promise<string> {
  const raw = await page.evaluate(() => window.sessionStorage.getItem("ailp.auth"));
  if (!raw) throw new Error("not signed in");
  const parsed = JSON.parse(raw) as { token: string };
  return parsed.token;
}

export async function apiGet<T>(request: APIRequestContext, token: string, path: string): Promise<T> {
  const response = await request.get(path, { headers: { Authorization: `Bearer ${token}` } });
  expect(response.ok(), `${path} answered ${response.status()}`).toBeTruthy();
  return (await response.json()) as T;
}

export async function apiPost<T>(request: APIRequestContext, token: string, path: string, data: unknown): Promise<T> {
  const response = await request.post(path, { headers: { Authorization: `Bearer ${token}` }, data });
  expect(response.ok(), `${path} answered ${response.status()}`).toBeTruthy();
  return (await response.json()) as T;
}

export const isPhone = () => test.info().project.name === "phone";

/** Go to a section with the navigation a person would use on this screen size. */
export async function navigate(page: Page, label: "Learn" | "Progress" | "History" | "Sessions" | "Admin"): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).filter({ visible: true }).getByRole("link", { name: label }).click();
}
