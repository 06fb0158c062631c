// The whole learner journey on a phone and on a desktop, against the real stack.
import type { Page } from "@playwright/test";

import { apiGet, expect, isPhone, navigate, screenshot, test, tokenOf, uniqueName } from "./fixtures";

interface Exercise {
  id: string;
  prompt: string;
  choices: string[] | null;
  answer: string;
}
interface Content {
  content_id: string;
  exercises: Exercise[];
}

const PASSWORD = "correct-horse-42";

async function signUp(page: Page, username: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/learn$/);
}

async function openAccountMenu(page: Page) {
  await page.getByRole("button", { name: /^Account menu/ }).click();
}

async function askFor(page: Page, concept: string, type: "Lesson" | "Quiz" | "Exercise", fresh = false) {
  await navigate(page, "Learn");
  await page.getByLabel("Concept").fill(concept);
  await page.getByRole("radio", { name: new RegExp(`^${type}`) }).click();
  if (fresh) await page.getByLabel("Write a new one").check();
  await page.getByRole("button", { name: "Generate" }).click();
  const label = `${type} · ${concept}`;
  const card = page.getByTestId("job-card").filter({ has: page.getByRole("heading", { name: label, exact: true }) });
  await expect(card).toBeVisible();
  return card;
}

async function contentOf(page: Page): Promise<Content> {
  const id = page.url().split("/content/")[1] ?? "";
  return apiGet<Content>(page.request, await tokenOf(page), `/api/content/${id}`);
}

test("learner journey: sign up, profiles, lesson, quiz, exercise, session, history, progress", async ({ page, consoleErrors }) => {
  const username = uniqueName("ada");

  await test.step("sign in page and sign up", async () => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await screenshot(page, "sign-in");
    // The server's validation and conflict errors appear next to their fields.
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Username").fill("x");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Use 3 to 80 characters.")).toBeVisible();
    await signUp(page, username);
  });

  await test.step("sign out, wrong password, sign in", async () => {
    await openAccountMenu(page);
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password", { exact: true }).fill("wrong-password");
    consoleErrors.allow(/status of 401/);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong username or password" })).toBeVisible();
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/learn$/);
  });

  await test.step("create a profile, a second one, and switch between them", async () => {
    await expect(page.getByRole("heading", { name: "Create your learning profile" })).toBeVisible();
    await page.getByLabel("What are you learning?").fill("data");
    await page.getByLabel("Goals (optional)").fill("Write SQL for reports at work.");
    await page.getByRole("button", { name: "Create profile" }).click();
    await expect(page.getByRole("heading", { name: "Learn", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: /Learning profile: Data/ })).toBeVisible();
    // Admin is for administrators only.
    await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);

    await page.getByRole("button", { name: /Learning profile: Data/ }).click();
    await page.getByRole("menuitem", { name: "New profile…" }).click();
    const dialog = page.getByRole("dialog", { name: "New learning profile" });
    await dialog.getByLabel("What are you learning?").fill("data");
    consoleErrors.allow(/status of 409/);
    await dialog.getByRole("button", { name: "Create profile" }).click();
    // One profile per niche: the 409 is shown next to the niche.
    await expect(dialog.getByText(/already have a learner profile/)).toBeVisible();
    await dialog.getByLabel("What are you learning?").fill("web_dev");
    await dialog.getByLabel("Experience").click();
    await page.getByRole("option", { name: "Intermediate" }).click();
    await dialog.getByRole("button", { name: "Create profile" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("button", { name: /Learning profile: Web dev/ })).toBeVisible();

    await page.getByRole("button", { name: /Learning profile: Web dev/ }).click();
    await page.getByRole("menuitemradio", { name: /Data/ }).click();
    await expect(page.getByRole("button", { name: /Learning profile: Data/ })).toBeVisible();
  });

  let lessonUrl = "";
  await test.step("ask for a lesson and watch it: queued → running → done", async () => {
    // The model answers "Database indexing" slowly (a rule of the test's model server).
    const card = await askFor(page, "Database indexing", "Lesson", true);
    await expect(card).toHaveAttribute("data-status", "running");
    await expect(card.getByRole("status")).toContainText("Writing it for you");
    await screenshot(page, "job-progress");
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await expect(card.getByRole("status")).toContainText("Ready.");
    await card.getByRole("link", { name: /Open lesson/ }).click();
    await expect(page).toHaveURL(/\/content\//);
    lessonUrl = page.url();
  });

  await test.step("read the lesson", async () => {
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByRole("tab", { name: "Lesson" })).toHaveAttribute("aria-selected", "true");
    // Rendered markdown: the lesson's sections are headings, not "## " text.
    await expect(page.locator(".prose-lesson h3").first()).toBeVisible();
    await expect(page.getByText("## ")).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Examples" })).toBeVisible();
    await screenshot(page, "lesson");
  });

  await test.step("take a quiz, asked for with the keyboard only: answers are checked at once and saved", async () => {
    await navigate(page, "Learn");
    // A new page takes the focus to its main region.
    await expect(page.locator("#main")).toBeFocused();
    // On a freshly loaded page, the skip link comes first and is visible when focused.
    await page.reload();
    await expect(page.getByLabel("Concept")).toBeVisible();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeVisible();
    await page.getByLabel("Concept").focus();
    await page.keyboard.type("SQL joins");
    for (let i = 0; i < 10 && !(await page.getByRole("radio", { name: /^Lesson/ }).evaluate((el) => el === document.activeElement)); i += 1) {
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("ArrowRight", { delay: 50 }); // Lesson → Quiz (held like a real key)
    await expect(page.getByRole("radio", { name: /^Quiz/ })).toBeChecked();
    await page.keyboard.press("Tab"); // "Write a new one"
    await page.keyboard.press("Tab"); // Generate
    await expect(page.getByRole("button", { name: "Generate" })).toBeFocused();
    await page.keyboard.press("Enter");
    const card = page.getByTestId("job-card").filter({ has: page.getByRole("heading", { name: "Quiz · SQL joins", exact: true }) });
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await card.getByRole("link", { name: /Open quiz/ }).click();
    await expect(page.getByRole("tab", { name: /Practice/ })).toHaveAttribute("aria-selected", "true");
    const content = await contentOf(page);
    const questions = page.getByTestId("exercise");
    await expect(questions).toHaveCount(content.exercises.length);
    for (const [index, exercise] of content.exercises.entries()) {
      const question = questions.nth(index);
      const choices = exercise.choices ?? [];
      // First right, the rest wrong: a knowledge gap to see on the progress page.
      const pick = index === 0 ? exercise.answer : (choices.find((choice) => choice !== exercise.answer) ?? exercise.answer);
      await question.getByRole("radio", { name: pick, exact: true }).click();
      await question.getByRole("button", { name: "Check answer" }).click();
      await expect(question).toHaveAttribute("data-state", index === 0 ? "correct" : "incorrect");
      await expect(question.getByText(index === 0 ? "Correct!" : "Not quite")).toBeVisible();
      await expect(question.getByText("Answer saved to your progress.")).toBeVisible();
      if (index === 1) await screenshot(page, "quiz");
    }
    await expect(page.getByTestId("practice-summary")).toContainText(`You got 1 of ${content.exercises.length} right`);
  });

  await test.step("do an exercise in your own words", async () => {
    const card = await askFor(page, "Window functions", "Exercise");
    await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    await card.getByRole("link", { name: /Open exercise/ }).click();
    const content = await contentOf(page);
    const questions = page.getByTestId("exercise");
    const [first, second] = content.exercises;
    if (!first || !second) throw new Error("an exercise has at least two questions");
    await questions.nth(0).getByLabel("Your answer").fill(first.answer);
    await questions.nth(0).getByRole("button", { name: "Check answer" }).click();
    await expect(questions.nth(0)).toHaveAttribute("data-state", "correct");
    await questions.nth(1).getByLabel("Your answer").fill("I am not sure");
    await questions.nth(1).getByRole("button", { name: "Check answer" }).click();
    await expect(questions.nth(1).getByText("Compare with the model answer")).toBeVisible();
    await questions.nth(1).getByRole("button", { name: "Not quite" }).click();
    await expect(questions.nth(1)).toHaveAttribute("data-state", "incorrect");
    await expect(questions.nth(1).getByText("Answer saved to your progress.")).toBeVisible();
  });

  await test.step("log a study session with the timer", async () => {
    await navigate(page, "Sessions");
    await expect(page.getByRole("heading", { name: "Study sessions" })).toBeVisible();
    await expect(page.getByText("No sessions yet")).toBeVisible();
    await page.getByRole("button", { name: "Start timer" }).click();
    await expect(page.getByRole("link", { name: /Study timer running/ })).toBeVisible();
    await page.goto(lessonUrl); // opened while the timer runs: part of the session
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await navigate(page, "Sessions");
    await expect(page.getByTestId("timer-card")).toContainText("1 opened");
    await page.getByRole("button", { name: "Stop and log" }).click();
    const dialog = page.getByRole("dialog", { name: "Log a study session" });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel("Minutes of actual study (optional)").fill("25");
    await dialog.getByLabel("Completed (%)").fill("80");
    await dialog.getByLabel("Performance (%)").fill("70");
    await dialog.getByRole("button", { name: "Add an exercise" }).click();
    await dialog.getByLabel("Concept of exercise 1").fill("Indexes on paper");
    await screenshot(page, "session-logging");
    await dialog.getByRole("button", { name: "Log session" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("list", { name: "Your study sessions" }).getByRole("listitem")).toHaveCount(1);
    await expect(page.getByRole("list", { name: "Your study sessions" })).toContainText("25 min");

    // A past session, with an end before its start: the error is shown next to the field.
    await page.getByRole("button", { name: "Log a past session" }).click();
    const past = page.getByRole("dialog", { name: "Log a study session" });
    await past.getByLabel("Started").fill("2026-01-10T10:00");
    await past.getByLabel("Ended").fill("2026-01-10T09:00");
    await past.getByRole("button", { name: "Log session" }).click();
    await expect(past.getByText("The end must not be before the start.")).toBeVisible();
    await past.getByRole("button", { name: "Cancel" }).click();
    await expect(past).toBeHidden();
  });

  await test.step("see the content history", async () => {
    await navigate(page, "History");
    const list = page.getByRole("list", { name: "Your content" });
    await expect(list.getByRole("listitem")).toHaveCount(3);
    await screenshot(page, "content-history");
    await page.getByRole("radio", { name: "Quizzes" }).click();
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await page.getByRole("tab", { name: "Requests" }).click();
    await page.getByLabel("Kind").click();
    await page.getByRole("option", { name: "Content" }).click();
    await expect(page.getByRole("list", { name: "Your requests" }).getByRole("listitem")).toHaveCount(3);
  });

  await test.step("progress: velocity, gaps, mastery, review, recommendations", async () => {
    await navigate(page, "Progress");
    // Answers and sessions schedule a recomputation by themselves; one may have run already.
    // Either way, bring it up to date now.
    await page.getByRole("button", { name: "Update" }).click();
    await expect(page.getByTestId("velocity-card")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("list", { name: "Mastery per concept" })).toContainText("Window functions", { timeout: 30_000 });
    await expect(page.getByTestId("gaps-card").getByRole("list", { name: "Knowledge gaps" })).toContainText("SQL joins");
    await expect(page.getByTestId("velocity-card")).toContainText(/[1-9] sessions?/);
    await expect(page.getByTestId("velocity-breakdown")).toContainText("Sessions per week");
    await expect(page.getByTestId("review-card")).toBeVisible();
    const recommendations = page.getByRole("list", { name: "Recommended concepts" });
    await expect(recommendations).toBeVisible();
    await screenshot(page, "progress");
    await recommendations.getByRole("button", { name: /^Generate a lesson for/ }).first().click();
    await expect(recommendations.getByRole("button", { name: /requested$/ }).first()).toBeVisible();
    await expect(page.getByRole("region", { name: /Notifications/ }).getByText(/is ready/).first()).toBeVisible({ timeout: 30_000 });
  });

  await test.step("an expired session returns to sign in with a message", async () => {
    await page.evaluate(() => {
      const raw = window.sessionStorage.getItem("ailp.auth") ?? "{}";
      const saved = JSON.parse(raw) as { token: string };
      window.sessionStorage.setItem("ailp.auth", JSON.stringify({ token: saved.token, expiresAt: Date.now() - 1000 }));
    });
    await page.reload();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByText("Your session has expired. Please sign in again.")).toBeVisible();
  });

  await test.step("a token the server refuses returns to sign in, then back to where you were", async () => {
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/progress$/); // where the expired session was
    await page.evaluate(() => {
      window.sessionStorage.setItem("ailp.auth", JSON.stringify({ token: "not-a-valid-token", expiresAt: Date.now() + 3_600_000 }));
    });
    consoleErrors.allow(/status of 401/);
    await page.goto("/history");
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByText(/Your session has expired or is no longer valid/)).toBeVisible();
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/history$/);
  });

  if (isPhone()) {
    // Nothing wider than the phone's screen (a phone widens its layout viewport to fit it).
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(page.viewportSize()?.width ?? 0);
  }
});
