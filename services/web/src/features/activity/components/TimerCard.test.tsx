import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ApiMock } from "@/test/api-mock";
import { learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import { TimerCard } from "./TimerCard";

describe("TimerCard", () => {
  it("times a session, then logs it with what was done meanwhile", async () => {
    window.localStorage.setItem(
      "ailp.timer.7",
      JSON.stringify({
        learnerId: 1,
        startedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
        stoppedAt: null,
        contentAccessed: ["c1"],
        exercises: [{ content_id: "c1", exercise_id: "q1", concept: "Joins", correct: true, answered_at: new Date().toISOString() }],
      }),
    );
    const mock = new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on("POST /api/learners/1/sessions", (request) => ({ status: 201, body: { id: 1, learner_id: 1, duration_minutes: 20, ...(request.body as object) } }))
      .install();
    renderApp(<TimerCard learner={learner()} />);

    expect(await screen.findByText(/1 opened · 1 answered/)).toBeInTheDocument();
    expect(screen.getByRole("timer")).toHaveTextContent(/^20:0\d$/);
    await userEvent.click(screen.getByRole("button", { name: "Stop and log" }));
    const dialog = await screen.findByRole("dialog", { name: "Log a study session" });
    expect(screen.getByLabelText("Performance (%)")).toHaveValue(100);
    expect(dialog).toHaveTextContent("1 answer in the app (1 correct)");
    await userEvent.click(screen.getByRole("button", { name: "Log session" }));

    expect(await screen.findByText("Session logged")).toBeInTheDocument();
    const [sent] = mock.calls("POST /api/learners/1/sessions");
    expect(sent?.body).toMatchObject({
      content_accessed: ["c1"],
      exercises_completed: [{ content_id: "c1", exercise_id: "q1", outcome: "correct" }],
      performance_score: 1,
    });
    expect(screen.getByRole("button", { name: "Start timer" })).toBeInTheDocument();
    expect(window.localStorage.getItem("ailp.timer.7")).toBeNull();
  });

  it("starts a timer", async () => {
    new ApiMock().on("GET /api/users/me", { body: user }).on("GET /api/learners", { body: [learner()] }).install();
    renderApp(<TimerCard learner={learner()} />);
    await userEvent.click(await screen.findByRole("button", { name: "Start timer" }));
    expect(screen.getByRole("button", { name: "Stop and log" })).toBeInTheDocument();
    expect(JSON.parse(window.localStorage.getItem("ailp.timer.7") ?? "{}")).toMatchObject({ learnerId: 1, stoppedAt: null });
  });
});
