import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { useJobTracker } from "@/features/jobs/hooks/job-tracker-context";
import type { GenerateContentInput } from "@/lib/api/types";
import { queryKeys } from "@/lib/query-keys";
import { ApiMock } from "@/test/api-mock";
import { content, job, learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

/** Starts following a job, as the pages do after a 202. */
function Follow({ label, request, kind = "content" }: { label: string; request?: GenerateContentInput; kind?: "content" | "analytics" }) {
  const { track } = useJobTracker();
  return (
    <button type="button" onClick={() => track(job({ kind }), { label, request })}>
      Follow
    </button>
  );
}

describe("JobTrackerProvider", () => {
  it("announces a job that finishes in the background, with a way to open it", async () => {
    const done = content({ content_type: "lesson" });
    new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on(`GET /api/jobs/${job().id}`, { body: job({ status: "succeeded", result: { ...done } }) })
      .install();
    renderApp(<Follow label="Lesson · SQL joins" request={{ concept: "SQL joins", content_type: "lesson" }} />);
    await userEvent.click(await screen.findByRole("button", { name: "Follow" }));
    expect(await screen.findByText("Lesson · SQL joins is ready")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Open" })).toBeInTheDocument();
    // Followed in sessionStorage, so a reload keeps following it; announced once.
    expect(JSON.parse(window.sessionStorage.getItem("ailp.jobs.7") ?? "[]")).toMatchObject([{ id: job().id, notified: true }]);
  });

  it("reports a failed job with its error", async () => {
    new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on(`GET /api/jobs/${job().id}`, { body: job({ status: "failed", error: { code: "worker_lost", message: "The job was lost 3 times." } }) })
      .install();
    renderApp(<Follow label="Quiz · Graphs" />);
    await userEvent.click(await screen.findByRole("button", { name: "Follow" }));
    expect(await screen.findByText("Quiz · Graphs failed")).toBeInTheDocument();
    expect(screen.getByText("The job was lost 3 times.")).toBeInTheDocument();
  });

  it("after an analytics job refreshes the learners list, not every learner-scoped query", async () => {
    const mock = new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on(`GET /api/jobs/${job().id}`, { body: job({ kind: "analytics", status: "succeeded" }) })
      .install();
    const { queryClient } = renderApp(<Follow label="Progress update" kind="analytics" />);
    queryClient.setQueryData(queryKeys.contentList(1, "all"), { pages: [], pageParams: [] });
    await userEvent.click(await screen.findByRole("button", { name: "Follow" }));
    expect(await screen.findByText("Your progress is up to date")).toBeInTheDocument();
    await waitFor(() => expect(mock.calls("GET /api/learners")).toHaveLength(2));
    expect(queryClient.getQueryState(queryKeys.contentList(1, "all"))?.isInvalidated).toBe(false);
  });
});
