import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { queryKeys } from "@/lib/query-keys";
import { ApiMock } from "@/test/api-mock";
import { learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import { useAnalytics } from "./use-analytics";

function Probe() {
  const analytics = useAnalytics(1);
  return <p data-testid="analytics">{analytics.isSuccess ? "loaded" : "loading"}</p>;
}

describe("useAnalytics", () => {
  it("writes the learner into the learners list only when it changed", async () => {
    const computed = learner({ engagement_metrics: { velocity_score: 1.2 } });
    new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on("GET /api/learners/1", { body: learner() }, { body: learner() }, { body: computed })
      .on("GET /api/learners/1/analytics", { status: 404 })
      .install();
    const { queryClient } = renderApp(<Probe />);
    await waitFor(() => expect(queryClient.getQueryData(queryKeys.learners)).toBeDefined());
    expect(await screen.findByText("loaded")).toBeInTheDocument();
    const writes = vi.spyOn(queryClient, "setQueryData");

    await queryClient.refetchQueries({ queryKey: queryKeys.analytics(1), exact: true });
    expect(writes).not.toHaveBeenCalled();

    await queryClient.refetchQueries({ queryKey: queryKeys.analytics(1), exact: true });
    expect(writes).toHaveBeenCalledTimes(1);
    expect(queryClient.getQueryData(queryKeys.learners)).toEqual([computed]);
  });
});
