import { useQuery } from "@tanstack/react-query";

import { isApiError } from "@/lib/api/client";
import { getAdminStats } from "@/lib/api/endpoints";
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
