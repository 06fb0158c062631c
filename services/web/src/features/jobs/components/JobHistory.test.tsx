import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ApiMock, problem } from "@/test/api-mock";
import { job, learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import { JobHistory } from "./JobHistory";

describe("JobHistory", () => {
  it("says plainly when a request could not be canceled because it already started", async () => {
    const queued = job({ status: "queued" });
    const mock = new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on("GET /api/jobs", { body: { items: [queued], next_cursor: null } })
      .on(`DELETE /api/jobs/${queued.id}`, problem(409, "The job is not queued any more."))
      .install();
    renderApp(<JobHistory learnerId={1} />);
    const list = await screen.findByRole("list", { name: "Your requests" });
    await userEvent.click(within(list).getByRole("button", { name: "Cancel" }));
    expect(await screen.findByText("It has already started, so it will finish.")).toBeInTheDocument();
    expect(mock.calls(`DELETE /api/jobs/${queued.id}`)).toHaveLength(1);
  });
});
