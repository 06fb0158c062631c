import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { createSession, listSessions, postResponses } from "@/features/activity/api/activity";
import type { ResponseInput, SessionInput } from "@/lib/api/types";
import { queryKeys } from "@/lib/query-keys";

export function useSessionList(learnerId: number | undefined) {
  return useInfiniteQuery({
    queryKey: queryKeys.sessions(learnerId ?? 0),
    queryFn: ({ pageParam, signal }) => listSessions(learnerId ?? 0, { limit: 20, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled: learnerId !== undefined,
  });
}

/** Sessions that started in the last `days` days (for the trend chart), newest first. */
export function useRecentSessions(learnerId: number | undefined, days: number) {
  return useQuery({
    queryKey: [...queryKeys.sessions(learnerId ?? 0), "recent", days],
    queryFn: ({ signal }) =>
      listSessions(
        learnerId ?? 0,
        { since: new Date(Date.now() - days * 86_400_000).toISOString(), limit: 100 },
        signal,
      ),
    enabled: learnerId !== undefined,
  });
}

export function useCreateSession(learnerId: number | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SessionInput) => createSession(learnerId ?? 0, input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.sessions(learnerId ?? 0) });
    },
  });
}

/** Post answers as exercise responses (the server recomputes progress shortly after). */
export function usePostResponses(learnerId: number | undefined) {
  return useMutation({
    mutationFn: (responses: ResponseInput[]) => postResponses(learnerId ?? 0, responses),
  });
}
