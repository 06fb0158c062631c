import { describe, expect, it } from "vitest";

import { buildSessionInput, draftFromTimer, elapsedMs, exercisesCompleted } from "./sessions";

const answered = { content_id: "c1", exercise_id: "q1", concept: "Joins", correct: true, answered_at: "2026-11-28T10:00:00Z" };

describe("sessions", () => {
  it("does not send in-app answers as responses a second time", () => {
    expect(exercisesCompleted([answered], [{ concept: " Paper ", correct: false }, { concept: " ", correct: true }])).toEqual([
      { content_id: "c1", exercise_id: "q1", outcome: "correct" },
      { concept: "Paper", correct: false },
    ]);
  });

  it("turns the timer into a draft with a performance score", () => {
    const draft = draftFromTimer({
      learnerId: 1,
      startedAt: "2026-11-28T09:00:00Z",
      stoppedAt: "2026-11-28T09:30:00Z",
      contentAccessed: ["c1"],
      exercises: [answered, { ...answered, exercise_id: "q2", correct: false }],
    });
    expect(draft).toMatchObject({ session_start: "2026-11-28T09:00:00Z", session_end: "2026-11-28T09:30:00Z", content_accessed: ["c1"], performance_score: 0.5 });
  });

  it("builds the request body from the form", () => {
    const input = buildSessionInput(
      { session_start: "2026-11-28T09:00:00.000Z", session_end: null, duration_minutes: "25", completion_rate: "80", performance_score: "" },
      { content_accessed: ["c1"], exercises: [] },
      [],
    );
    expect(input).toEqual({
      session_start: "2026-11-28T09:00:00.000Z",
      session_end: null,
      duration_minutes: 25,
      content_accessed: ["c1"],
      exercises_completed: [],
      completion_rate: 0.8,
      performance_score: null,
    });
  });

  it("counts a running timer up to now and a stopped one up to its stop", () => {
    const timer = { learnerId: 1, startedAt: "2026-11-28T09:00:00Z", stoppedAt: null, contentAccessed: [], exercises: [] };
    const now = Date.parse("2026-11-28T09:05:00Z");
    expect(elapsedMs(timer, now)).toBe(5 * 60_000);
    expect(elapsedMs({ ...timer, stoppedAt: "2026-11-28T09:02:00Z" }, now)).toBe(2 * 60_000);
  });
});
