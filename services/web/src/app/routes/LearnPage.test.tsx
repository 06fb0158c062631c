import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ApiMock, problem } from "@/test/api-mock";
import { content, job, learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import LearnPage from "./LearnPage";

const JOB_ID = "11111111-2222-3333-4444-555555555555";

function baseMock() {
  return new ApiMock()
    .on("GET /api/users/me", { body: user })
    .on("GET /api/learners", { body: [learner()] })
    .on("GET /api/learners/1", { body: learner() })
    .on("GET /api/learners/1/content", { body: { items: [], next_cursor: null } });
}

describe("LearnPage", () => {
  it("asks for a lesson and follows the job: queued → running → done", async () => {
    const done = content({ content_type: "lesson" });
    const mock = baseMock()
      .on("POST /api/learners/1/generate-content", { status: 202, body: job(), headers: { "retry-after": "0", location: `/api/jobs/${JOB_ID}` } })
      .on(
        `GET /api/jobs/${JOB_ID}`,
        { body: job(), headers: { "retry-after": "0" } },
        { body: job({ status: "running", attempts: 1 }), headers: { "retry-after": "0" } },
        { body: job({ status: "succeeded", attempts: 1, result: { ...done }, result_url: `/api/content/${done.content_id}` }) },
      )
      .install();
    renderApp(<LearnPage />);

    expect(await screen.findByText("Nothing here yet")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Concept"), "SQL joins");
    await userEvent.click(screen.getByRole("button", { name: "Generate" }));

    const card = await screen.findByTestId("job-card");
    expect(within(card).getByRole("heading", { name: "Lesson · SQL joins" })).toBeInTheDocument();
    expect(card).toHaveAttribute("data-status", "queued");
    expect(within(card).getByRole("status")).toHaveTextContent("Waiting for a free worker");
    await screen.findByText("Writing it for you…", {}, { timeout: 4000 });
    expect(card).toHaveAttribute("data-status", "running");
    expect(await within(card).findByRole("link", { name: /Open lesson/ }, { timeout: 4000 })).toHaveAttribute("href", `/content/${done.content_id}`);
    expect(card).toHaveAttribute("data-status", "succeeded");

    const [sent] = mock.calls("POST /api/learners/1/generate-content");
    expect(sent?.body).toEqual({ concept: "SQL joins", content_type: "lesson" });
    expect(sent?.headers.get("idempotency-key")).toMatch(/.{8,}/);
  });

  it("cancels a queued request", async () => {
    const mock = baseMock()
      .on("POST /api/learners/1/generate-content", { status: 202, body: job(), headers: { "retry-after": "5" } })
      .on(`GET /api/jobs/${JOB_ID}`, { body: job(), headers: { "retry-after": "5" } })
      .on(`DELETE /api/jobs/${JOB_ID}`, { body: job({ status: "canceled" }) })
      .install();
    renderApp(<LearnPage />);
    await userEvent.type(await screen.findByLabelText("Concept"), "Graphs");
    await userEvent.click(screen.getByRole("radio", { name: /Quiz/ }));
    await userEvent.click(screen.getByRole("button", { name: "Generate" }));
    const card = await screen.findByTestId("job-card");
    await userEvent.click(within(card).getByRole("button", { name: "Cancel" }));
    expect(await within(card).findByText("Canceled.")).toBeInTheDocument();
    expect(mock.calls(`DELETE /api/jobs/${JOB_ID}`)).toHaveLength(1);
    expect(within(card).getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("shows the server's validation error next to the concept", async () => {
    baseMock()
      .on(
        "POST /api/learners/1/generate-content",
        problem(422, "The request is not valid.", {
          errors: [{ loc: ["body", "concept"], msg: "Value error, the concept must not contain control characters", type: "value_error" }],
        }),
      )
      .install();
    renderApp(<LearnPage />);
    await userEvent.type(await screen.findByLabelText("Concept"), "Tabs");
    await userEvent.click(screen.getByRole("button", { name: "Generate" }));
    expect(await screen.findByText("The concept must not contain control characters.")).toBeInTheDocument();
    expect(screen.getByLabelText("Concept")).toHaveAttribute("aria-invalid", "true");
  });

  it("offers to create a profile when there is none", async () => {
    new ApiMock().on("GET /api/users/me", { body: user }).on("GET /api/learners", { body: [] }).install();
    renderApp(<LearnPage />);
    expect(await screen.findByRole("heading", { name: "Create your learning profile" })).toBeInTheDocument();
    expect(screen.getByLabelText("What are you learning?")).toBeInTheDocument();
  });
});
