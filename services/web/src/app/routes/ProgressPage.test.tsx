import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ApiMock, type MockResponse } from "@/test/api-mock";
import { analytics, job, learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import ProgressPage from "./ProgressPage";

const computed = learner({ engagement_metrics: { as_of: "2026-11-28T10:00:00Z", velocity_score: 1.19 } });

function mockWith(result: ReturnType<typeof analytics> | null) {
  const mock = new ApiMock()
    .on("GET /api/users/me", { body: user })
    .on("GET /api/learners", { body: [result ? computed : learner()] })
    .on("GET /api/learners/1", { body: result ? computed : learner() })
    .on("GET /api/learners/1/sessions", { body: { items: [], next_cursor: null } });
  if (result) mock.on("GET /api/learners/1/analytics", { body: result });
  return mock.install();
}

describe("ProgressPage", () => {
  it("shows velocity and its parts, gaps, mastery, review and recommendations", async () => {
    mockWith(analytics());
    renderApp(<ProgressPage />);
    const velocity = await screen.findByTestId("velocity-card");
    expect(velocity).toHaveTextContent("1.19");
    expect(velocity).toHaveTextContent("Improving");
    expect(screen.getByTestId("velocity-breakdown")).toHaveTextContent("Sessions per week");
    const gaps = screen.getByRole("list", { name: "Knowledge gaps" });
    expect(within(gaps).getAllByRole("listitem")[0]).toHaveTextContent("Window functions");
    expect(within(gaps).getAllByRole("listitem")[0]).toHaveTextContent("High");
    expect(screen.getByRole("list", { name: "Mastery per concept" })).toHaveTextContent("Mastered");
    expect(screen.getByRole("list", { name: "Concepts due for review" })).toHaveTextContent("SQL joins");
    expect(screen.getByRole("list", { name: "Recommended concepts" })).toHaveTextContent("Knowledge gap");
  });

  it("asks for a lesson on a recommended concept in one click", async () => {
    const mock = mockWith(analytics());
    mock.on("POST /api/learners/1/generate-content", { status: 202, body: job(), headers: { "retry-after": "5" } });
    mock.on("GET /api/jobs/11111111-2222-3333-4444-555555555555", { body: job(), headers: { "retry-after": "5" } });
    renderApp(<ProgressPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Generate a lesson for Window functions" }));
    expect(await screen.findByRole("button", { name: "Lesson on Window functions requested" })).toBeDisabled();
    expect(mock.calls("POST /api/learners/1/generate-content")[0]?.body).toEqual({ concept: "Window functions", content_type: "lesson" });
  });

  it("marks both lessons requested when the second is asked for before the first is answered", async () => {
    const accepted: MockResponse = { status: 202, body: job(), headers: { "retry-after": "5" } };
    let releaseFirst = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const mock = mockWith(analytics());
    mock.on(
      "POST /api/learners/1/generate-content",
      async () => {
        await firstHeld;
        return accepted;
      },
      accepted,
    );
    mock.on("GET /api/jobs/11111111-2222-3333-4444-555555555555", { body: job(), headers: { "retry-after": "5" } });
    renderApp(<ProgressPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Generate a lesson for Window functions" }));
    await userEvent.click(screen.getByRole("button", { name: "Generate a lesson for SQL joins" }));
    expect(await screen.findByRole("button", { name: "Lesson on SQL joins requested" })).toBeDisabled();
    releaseFirst();
    expect(await screen.findByRole("button", { name: "Lesson on Window functions requested" })).toBeDisabled();
    expect(mock.calls("POST /api/learners/1/generate-content")).toHaveLength(2);
  });

  it("works with results that have no mastery or recommendations yet", async () => {
    mockWith(analytics({ mastery: undefined, recommendations: undefined }));
    renderApp(<ProgressPage />);
    expect(await screen.findByText("No concepts practised yet")).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Recommended concepts" })).toHaveTextContent("Window functions");
  });

  it("offers to compute progress when there is none, without asking for a missing result", async () => {
    const mock = mockWith(null);
    mock.on("POST /api/learners/1/analytics", { status: 202, body: job({ kind: "analytics" }), headers: { "retry-after": "5" } });
    mock.on("GET /api/jobs/11111111-2222-3333-4444-555555555555", { body: job({ kind: "analytics" }), headers: { "retry-after": "5" } });
    renderApp(<ProgressPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Compute my progress" }));
    expect(mock.calls("POST /api/learners/1/analytics")[0]?.body).toEqual({ days: 30 });
    expect(mock.calls("GET /api/learners/1/analytics")).toHaveLength(0);
    expect(await screen.findByText(/Updating your progress/)).toBeInTheDocument();
  });
});
