import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { AdminStats, CalibrationBin, LearnerModel } from "@/lib/api/types";
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
  top_spenders: [],
  jobs: { queued: 2, running: 1, failed: 3, avg_wait_seconds: 1.4 },
};

function bins(shift: number): CalibrationBin[] {
  return Array.from({ length: 10 }, (_, b) => ({
    lower: b / 10,
    upper: (b + 1) / 10,
    answers: b < 2 ? 0 : 100 * b,
    predicted: b < 2 ? null : b / 10 + 0.05,
    observed: b < 2 ? null : Math.min(1, b / 10 + 0.05 + shift),
  }));
}

const learnerModel: LearnerModel = {
  version: 3,
  fitted_at: "2026-12-05T07:00:00Z",
  source: "platform (scheduled)",
  concepts: [
    { concept: "fractions", p_init: 0.41, p_transit: 0.12, p_forget: 0.031, guess: 0.22, slip: 0.08, responses: 5120 },
    { concept: "SQL joins", p_init: 0.3, p_transit: 0.2, p_forget: 0.01, guess: 0.15, slip: 0.1, responses: 12000 },
  ],
  evaluation: {
    auc: 0.8407,
    log_loss: 0.427,
    held_out_answers: 96489,
    baseline_auc: 0.7381,
    baseline_log_loss: 0.5519,
    held_out_learners: 676,
    calibration: bins(0),
    baseline_calibration: bins(-0.1),
  },
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

  it("shows the learner model: quality against the defaults, calibration and parameters", async () => {
    mock().on("GET /api/admin/stats", { body: stats }).on("GET /api/admin/learner-model", { body: learnerModel }).install();
    renderApp(<AdminPage />);
    const quality = await screen.findByTestId("model-quality-card");
    expect(quality).toHaveTextContent("Version 3");
    expect(quality).toHaveTextContent("96,489 answers of 676 learners");
    const auc = within(quality).getByRole("row", { name: /AUC/ });
    expect(auc).toHaveTextContent("0.841");
    expect(auc).toHaveTextContent("0.738");
    const calibration = screen.getByTestId("calibration-card");
    expect(within(calibration).getAllByRole("row")).toHaveLength(1 + 8); // header + non-empty bins
    const parameters = within(screen.getByRole("region", { name: "Parameters per concept" })).getAllByRole("row");
    expect(parameters[1]).toHaveTextContent("SQL joins"); // most answered first
    expect(parameters[2]).toHaveTextContent("fractions5,1200.4100.1200.0310.2200.080");
  });

  it("says when nothing has been fitted yet", async () => {
    mock()
      .on("GET /api/admin/stats", { body: stats })
      .on("GET /api/admin/learner-model", problem(404, "No learner-model parameters have been fitted yet."))
      .install();
    renderApp(<AdminPage />);
    expect(await screen.findByText("No fitted parameters yet")).toBeInTheDocument();
    expect(screen.getByText("ailp learner-model fit")).toBeInTheDocument();
  });

  it("is for administrators only", async () => {
    const api = mock(user).install();
    renderApp(<AdminPage />);
    expect(await screen.findByText("Administrators only")).toBeInTheDocument();
    expect(api.calls("GET /api/admin/stats")).toHaveLength(0);
    expect(api.calls("GET /api/admin/learner-model")).toHaveLength(0);
  });
});
