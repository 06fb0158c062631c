import { describe, expect, it } from "vitest";

import type { Velocity } from "@/lib/api/types";

import { velocityParts } from "./velocity";

describe("velocityParts", () => {
  it("splits the score into the contract's four weighted parts", () => {
    const velocity: Velocity = {
      sessions: 4,
      sessions_per_week: 2,
      avg_session_duration: 45,
      avg_completion_rate: 0.5,
      exercises_per_session: 3,
      velocity_score: 2 * 0.3 + (45 / 60) * 0.2 + 0.5 * 0.3 + 3 * 0.2,
      recent_performance: null,
      historical_performance: null,
      trend: "insufficient_data",
    };
    const parts = velocityParts(velocity);
    expect(parts.map((part) => part.key)).toEqual(["sessions_per_week", "avg_session_duration", "avg_completion_rate", "exercises_per_session"]);
    expect(parts.reduce((sum, part) => sum + part.contribution, 0)).toBeCloseTo(velocity.velocity_score);
    expect(parts[1]?.value).toBe("45 min");
  });
});
