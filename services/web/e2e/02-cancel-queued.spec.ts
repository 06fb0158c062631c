// Cancel a request while it waits in the queue. The test's model server holds requests whose
// prompt says "e2e-hold" for a few seconds; four of them keep every content-worker thread busy,
// so the next request stays queued long enough to cancel it.
import { apiPost, expect, navigate, test, tokenOf, uniqueName } from "./fixtures";

const HOLD_JOBS = 4;

test("cancel a queued request", async ({ page }) => {
  const username = uniqueName("cancel");
  await page.goto("/sign-up");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill("correct-horse-42");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByLabel("What are you learning?").fill("data");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("heading", { name: "Learn", exact: true })).toBeVisible();

  const token = await tokenOf(page);
  const learners = (await (await page.request.get("/api/learners", { headers: { Authorization: `Bearer ${token}` } })).json()) as {
    id: number;
  }[];
  const learnerId = learners[0]?.id ?? 0;

  // Ready to ask; only now fill the workers, so that they are still busy when we do.
  await navigate(page, "Learn");
  await page.getByLabel("Concept").fill("Cancel me");
  await Promise.all(
    Array.from({ length: HOLD_JOBS }, (_, index) =>
      apiPost(page.request, token, `/api/learners/${learnerId}/generate-content`, {
        concept: `Hold e2e-hold ${index}`,
        content_type: "lesson",
        fresh: true,
      }),
    ),
  );
  await page.getByRole("button", { name: "Generate" }).click();
  const card = page.getByTestId("job-card").filter({ hasText: "Lesson · Cancel me" });
  await expect(card).toHaveAttribute("data-status", "queued");
  await card.getByRole("button", { name: "Cancel" }).click();
  await expect(card).toHaveAttribute("data-status", "canceled");
  await expect(card.getByRole("status")).toContainText("Canceled");
  await expect(card.getByRole("button", { name: "Try again" })).toBeVisible();

  await navigate(page, "History");
  await page.getByRole("tab", { name: "Requests" }).click();
  await page.getByLabel("Status").click();
  await page.getByRole("option", { name: "Canceled" }).click();
  await expect(page.getByRole("list", { name: "Your requests" }).getByRole("listitem")).toHaveCount(1);
});
