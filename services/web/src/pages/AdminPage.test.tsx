import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { AdminStats } from "@/lib/api/types";
import { ApiMock, problem } from "@/test/api-mock";
import { admin, learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import AdminPage from "./AdminPage";

const stats: AdminStats = {
  window_days: 30,
  users_total: 120,
  new_users: 14,
  active_users_daily: 9,
  active_users_monthly: 61,
  sessions: 340,
  avg_completion_rate: 0.72,
  content: {
    generated: 200,
    by_source: { openai: 150, cache: 30, fallback: 20 },
    ai_success_rate: 0.9,
    fallback_rate: 0.1,
    cost_usd: 1.25,
    cost_usd_today: 1.5,
    budget_usd_today: 2,
  },
  top_concepts: [{ concept: "SQL joins", requests: 40 }],
  jobs: { queued: 2, running: 1, failed: 3, avg_wait_seconds: 1.4 },
};

function mock(me = admin) {
  return new ApiMock().on("GET /api/users/me", { body: me }).on("GET /api/learners", { body: [learner()] });
}

describe("AdminPage", () => {
  it("shows growth, AI performance, spend against the budget and queues", async () => {
    mock().on("GET /api/admin/stats", { body: stats }).install();
    renderApp(<AdminPage />);
    expect(await screen.findByText("120")).toBeInTheDocument();
    expect(screen.getByTestId("ai-card")).toHaveTextContent("90.0%");
    expect(screen.getByTestId("spend-card")).toHaveTextContent("$1.50");
    expect(screen.getByTestId("spend-card")).toHaveTextContent("75% of today’s budget used");
    expect(screen.getByTestId("queue-card")).toHaveTextContent("1.4 s");
    expect(screen.getByText("SQL joins: 40 requests")).toBeInTheDocument();
  });

  it("shows a failed stats request with a way to try again", async () => {
    // A 404 (not retried) keeps the test quick; any failure shows the same way.
    mock().on("GET /api/admin/stats", problem(404, "No stats here.")).install();
    renderApp(<AdminPage />);
    expect(await screen.findByRole("alert")).toHaveTextContent("No stats here.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("is for administrators only", async () => {
    const api = mock(user).install();
    renderApp(<AdminPage />);
    expect(await screen.findByText("Administrators only")).toBeInTheDocument();
    expect(api.calls("GET /api/admin/stats")).toHaveLength(0);
  });
});
