import { describe, expect, it } from "vitest";

import { analytics, learner } from "@/test/fixtures";

import { masteryRows, recommendationsOf, reviewSchedule } from "./learning";

describe("learning", () => {
  it("reads mastery from the analytics result, sorted by concept", () => {
    expect(masteryRows(analytics(), learner()).map((row) => row.concept)).toEqual(["Indexes", "SQL joins"]);
  });

  it("falls back to the learner's knowledge_state when the result has no mastery", () => {
    const withState = learner({
      knowledge_state: { concepts: { Joins: { p_mastery: 0.4, mastered: false, next_review_at: "2026-01-01T00:00:00Z" } } },
    });
    const rows = masteryRows(analytics({ mastery: undefined }), withState);
    expect(rows).toEqual([
      { concept: "Joins", p_mastery: 0.4, mastered: false, attempts: null, correct: null, last_answered_at: null, next_review_at: "2026-01-01T00:00:00Z" },
    ]);
    expect(masteryRows(null, learner())).toEqual([]);
  });

  it("splits the review schedule into due and upcoming", () => {
    const schedule = reviewSchedule(masteryRows(analytics(), null), Date.parse("2026-11-28T12:00:00Z"));
    expect(schedule.due.map((row) => row.concept)).toEqual(["SQL joins"]);
    expect(schedule.upcoming.map((row) => row.concept)).toEqual(["Indexes"]);
  });

  it("derives recommendations from serious gaps when the result has none", () => {
    expect(recommendationsOf(analytics()).map((item) => item.concept)).toEqual(["Window functions", "SQL joins"]);
    expect(recommendationsOf(analytics({ recommendations: undefined }))).toEqual([
      { concept: "Window functions", reason: "knowledge_gap", priority: 1 },
      { concept: "SQL joins", reason: "knowledge_gap", priority: 2 },
    ]);
  });
});
