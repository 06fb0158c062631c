import { useQuery } from "@tanstack/react-query";

import { getAdminStats, getLearnerModel } from "@/features/admin/api/admin";
import { isApiError } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export function useAdminStats(days: number, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.adminStats(days),
    queryFn: ({ signal }) => getAdminStats(days, signal),
    enabled,
    refetchInterval: 15_000,
    retry: (count, error) => !(isApiError(error) && [403, 404].includes(error.status)) && count < 2,
  });
}

/** The newest fitted learner-model parameters; a 404 means nothing has been fitted yet. */
export function useLearnerModel(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.learnerModel,
    queryFn: ({ signal }) => getLearnerModel(signal),
    enabled,
    refetchInterval: 60_000,
    retry: (count, error) => !(isApiError(error) && [403, 404].includes(error.status)) && count < 2,
  });
}
