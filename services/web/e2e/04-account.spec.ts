// The account page: download my data, change password, sign out everywhere, delete my account.
// Every token the browser held before is refused afterwards (checked against the API itself).
import type { APIRequestContext, Page } from "@playwright/test";
import { readFileSync } from "node:fs";

import { expect, screenshot, test, tokenOf, uniqueName } from "./fixtures";

const PASSWORD = "correct-horse-42";
const NEW_PASSWORD = "battery-staple-43";
// Other gateway processes may trust a revoked token for TOKEN_STATE_CACHE_SECONDS (default 2 s).
const REVOCATION_BOUND_MS = 8_000;

async function signUp(page: Page, username: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/learn$/);
}

async function signIn(page: Page, username: string, password: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function openAccountPage(page: Page) {
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Account and privacy" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Account and privacy", level: 1 })).toBeVisible();
}

async function expectRefused(request: APIRequestContext, token: string) {
  await expect
    .poll(
      async () => (await request.get("/api/users/me", { headers: { Authorization: `Bearer ${token}` } })).status(),
      { timeout: REVOCATION_BOUND_MS, message: "the old token is refused" },
    )
    .toBe(401);
}

test("account: download my data, change password, sign out everywhere, delete my account", async ({ page, consoleErrors }) => {
  const username = uniqueName("acct");
  await signUp(page, username);
  await openAccountPage(page);
  await screenshot(page, "account");

  await test.step("download my data", async () => {
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download my data" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^ailp-export-\d+-.*\.json$/);
    const path = await download.path();
    const exported = JSON.parse(readFileSync(path, "utf8")) as { user: { username: string }; learners: unknown[]; jobs: unknown[] };
    expect(exported.user.username).toBe(username);
    expect(Array.isArray(exported.learners) && Array.isArray(exported.jobs)).toBeTruthy();
  });

  await test.step("change password: a wrong current one is refused, then every earlier token is", async () => {
    const before = await tokenOf(page);
    consoleErrors.allow(/status of 403/);
    const form = page.getByRole("form", { name: "Change password" });
    await form.getByLabel("Current password").fill("not-my-password");
    await form.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await form.getByLabel("New password again").fill(NEW_PASSWORD);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("The current password is wrong. Nothing was changed.")).toBeVisible();
    await form.getByLabel("Current password").fill(PASSWORD);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("Password changed", { exact: true })).toBeVisible();
    // This tab stays signed in, with a new token; the old one is refused.
    await expect(page.getByRole("heading", { name: "Account and privacy", level: 1 })).toBeVisible();
    expect(await tokenOf(page)).not.toBe(before);
    await expectRefused(page.request, before);
  });

  await test.step("sign out everywhere, then sign in with the new password", async () => {
    const before = await tokenOf(page);
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByText("You were signed out on every device.", { exact: false })).toBeVisible();
    await expectRefused(page.request, before);
    consoleErrors.allow(/status of 401/);
    await signIn(page, username, PASSWORD);
    await expect(page.getByRole("alert").filter({ hasText: "Wrong username or password" })).toBeVisible();
    await signIn(page, username, NEW_PASSWORD);
    await expect(page).toHaveURL(/\/(learn|account)$/);
  });

  await test.step("delete my account after typing the username", async () => {
    await openAccountPage(page);
    const before = await tokenOf(page);
    await page.getByRole("button", { name: "Delete my account" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Your password").fill(NEW_PASSWORD);
    const confirm = dialog.getByRole("button", { name: "Delete everything" });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/to confirm/).fill(username);
    await expect(confirm).toBeEnabled();
    await screenshot(page, "account-delete");
    await confirm.click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByText("Your account and everything stored about it were deleted.")).toBeVisible();
    await expectRefused(page.request, before);
    await signIn(page, username, NEW_PASSWORD);
    await expect(page.getByRole("alert").filter({ hasText: "Wrong username or password" })).toBeVisible();
  });
});

test("sign out revokes the token on the server", async ({ page }) => {
  await signUp(page, uniqueName("bye"));
  const token = await tokenOf(page);
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expectRefused(page.request, token);
});
