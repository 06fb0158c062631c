import { fileURLToPath } from "node:url";

import { defineConfig } from "@playwright/test";

// The end-to-end tests drive Debian's Chromium against a running stack. `tests/e2e` (pytest)
// starts the real stack and runs `npx playwright test` with E2E_BASE_URL and the admin's
// credentials; against `make up`, run: E2E_BASE_URL=http://127.0.0.1:8000 npx playwright test
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const artifacts = process.env.E2E_ARTIFACTS_DIR ?? `${repoRoot}test-artifacts`;

export default defineConfig({
  testDir: "./e2e",
  outputDir: `${artifacts}/playwright/results`,
  timeout: 240_000,
  expect: { timeout: 20_000 },
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  reporter: [["list"], ["html", { outputFolder: `${artifacts}/playwright/report`, open: "never" }]],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? "http://127.0.0.1:8000",
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // Without the background-networking flags Chromium tries to reach Google's services.
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    },
    actionTimeout: 15_000,
    navigationTimeout: 20_000,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "desktop", use: { viewport: { width: 1280, height: 800 } } },
    {
      name: "phone",
      use: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true },
      // Canceling occupies the shared workers for a while: the desktop run covers it.
      testIgnore: /cancel-queued/,
    },
  ],
});
