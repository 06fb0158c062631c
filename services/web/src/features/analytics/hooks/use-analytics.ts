import { replaceEqualDeep, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { getAnalytics, requestAnalytics } from "@/features/analytics/api/analytics";
import { type JobPoll } from "@/features/jobs/api/jobs";
import { useJobTracker } from "@/features/jobs/hooks/job-tracker-context";
import { getLearner } from "@/features/learners/api/learners";
import { isApiError } from "@/lib/api/client";
import type { AnalyticsResult, Learner } from "@/lib/api/types";
import { queryKeys } from "@/lib/query-keys";
import { randomId } from "@/lib/utils";

/** Whether the analytics worker has written results for this learner (it fills these in). */
export function hasAnalytics(learner: Learner): boolean {
  const metrics = learner.engagement_metrics;
  return typeof metrics === "object" && Object.keys(metrics).length > 0;
}

/**
 * The latest analytics result, or null when none was computed yet. The learner is read first:
 * while its metrics are empty there is no result, and asking would only answer 404.
 *
 * `poll`: look again every 30 s (new answers and sessions schedule a recomputation on the
 * server). Only the page that shows the result needs that; others read it once.
 */
export function useAnalytics(learnerId: number | undefined, { poll = false }: { poll?: boolean } = {}) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: queryKeys.analytics(learnerId ?? 0),
    queryFn: async ({ signal }): Promise<AnalyticsResult | null> => {
      const learner = await getLearner(learnerId ?? 0, signal);
      // Write it into the learners list only when it changed: each write re-renders every reader.
      const cached = queryClient.getQueryData<Learner[]>(queryKeys.learners)?.find((item) => item.id === learner.id);
      if (cached && replaceEqualDeep(cached, learner) !== cached) {
        queryClient.setQueryData<Learner[]>(queryKeys.learners, (old) =>
          old?.map((item) => (item.id === learner.id ? learner : item)),
        );
      }
      if (!hasAnalytics(learner)) return null;
      try {
        return await getAnalytics(learnerId ?? 0, signal);
      } catch (error) {
        if (isApiError(error) && error.status === 404) return null;
        throw error;
      }
    },
    enabled: learnerId !== undefined,
    refetchInterval: poll ? 30_000 : false,
  });
}

export function useRequestAnalytics(learnerId: number | undefined) {
  const queryClient = useQueryClient();
  const { track } = useJobTracker();
  return useMutation({
    mutationFn: (days: number) => requestAnalytics(learnerId ?? 0, { days }, randomId()),
    onSuccess: (poll: JobPoll) => {
      queryClient.setQueryData<JobPoll>(queryKeys.job(poll.job.id), poll);
      track(poll.job, { label: "Progress update" });
    },
  });
}
