// The operator dashboard, for an administrator made with `ailp make-admin`.
import { expect, navigate, screenshot, test } from "./fixtures";

test("admin dashboard: growth, engagement, AI performance, spend, queues, learner model", async ({ page }) => {
  const username = process.env.E2E_ADMIN_USERNAME;
  const password = process.env.E2E_ADMIN_PASSWORD;
  test.skip(!username || !password, "E2E_ADMIN_USERNAME / E2E_ADMIN_PASSWORD not set");

  await page.goto("/sign-in");
  await page.getByLabel("Username").fill(username ?? "");
  await page.getByLabel("Password", { exact: true }).fill(password ?? "");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/learn$/);

  await navigate(page, "Admin");
  await expect(page.getByRole("heading", { name: "Operations" })).toBeVisible();
  await expect(page.getByText("Users", { exact: true })).toBeVisible();
  await expect(page.getByTestId("ai-card")).toContainText("AI success rate");
  await expect(page.getByTestId("spend-card")).toContainText("of today’s budget used");
  await expect(page.getByTestId("top-concepts-card")).toBeVisible();
  await expect(page.getByTestId("queue-card")).toContainText("Avg wait");
  await screenshot(page, "admin-dashboard");

  // The learner model, fitted from the ASSISTments sample before the run (tests/e2e/conftest.py).
  const model = page.getByTestId("learner-model-section");
  await expect(model.getByRole("heading", { name: "Learner model" })).toBeVisible();
  const quality = page.getByTestId("model-quality-card");
  await expect(quality).toContainText("file builder_train.csv");
  await expect(quality.getByRole("row", { name: /AUC/ })).toBeVisible();
  await expect(page.getByTestId("calibration-card").getByRole("img", { name: /^Calibration/ })).toBeVisible();
  const parameters = page.getByRole("region", { name: "Parameters per concept" });
  await expect(parameters.getByRole("row")).not.toHaveCount(0);
  await model.scrollIntoViewIfNeeded();
  await screenshot(page, "admin-learner-model");

  await page.getByLabel("Window").click();
  await page.getByRole("option", { name: "7 days" }).click();
  await expect(page.getByText("last 7 days").first()).toBeVisible();
});
