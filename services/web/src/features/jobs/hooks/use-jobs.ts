import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type Query } from "@tanstack/react-query";

import { cancelJob, getJob, listJobs, type JobPoll } from "@/features/jobs/api/jobs";
import { isTerminal } from "@/features/jobs/utils/job-status";
import { isApiError } from "@/lib/api/client";
import type { Job, JobKind, JobStatus, Page } from "@/lib/api/types";
import { queryKeys } from "@/lib/query-keys";

const MIN_POLL_MS = 1000;
const MAX_POLL_MS = 10_000;
const DEFAULT_POLL_MS = 1500;
const LIST_POLL_MS = 5000;

/** Poll again after the server's Retry-After (clamped), and stop once the job is finished. */
export function pollInterval(poll: JobPoll | undefined): number | false {
  if (!poll) return DEFAULT_POLL_MS;
  if (isTerminal(poll.job.status)) return false;
  const wanted = poll.retryAfter !== null ? poll.retryAfter * 1000 : DEFAULT_POLL_MS;
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, wanted));
}

export function useJob(id: string | null) {
  return useQuery({
    queryKey: queryKeys.job(id ?? ""),
    queryFn: ({ signal }) => getJob(id ?? "", signal),
    enabled: id !== null,
    refetchInterval: (query: Query<JobPoll>) => (query.state.status === "error" ? false : pollInterval(query.state.data)),
    refetchIntervalInBackground: true,
    retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 3,
  });
}

/** Refresh a job list while any job on it is still queued or running; a settled list stays put. */
export function listPollInterval(data: InfiniteData<Page<Job>> | undefined): number | false {
  const unfinished = data?.pages.some((page) => page.items.some((job) => !isTerminal(job.status))) ?? false;
  return unfinished ? LIST_POLL_MS : false;
}

export interface JobFilters {
  learnerId?: number;
  status?: JobStatus | "all";
  kind?: JobKind | "all";
}

export function useJobList(filters: JobFilters) {
  return useInfiniteQuery({
    queryKey: queryKeys.jobs(filters),
    queryFn: ({ pageParam, signal }) =>
      listJobs(
        {
          learner_id: filters.learnerId,
          status: filters.status === "all" ? undefined : filters.status,
          kind: filters.kind === "all" ? undefined : filters.kind,
          limit: 20,
          cursor: pageParam,
        },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled: filters.learnerId !== undefined,
    refetchInterval: (query) => listPollInterval(query.state.data),
  });
}

export function useCancelJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => cancelJob(id),
    onSuccess: (job) => {
      queryClient.setQueryData<JobPoll>(queryKeys.job(job.id), { job, retryAfter: null });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allJobs });
    },
    onError: (_error, id) => {
      // 409: it started or finished meanwhile; show its real state.
      void queryClient.invalidateQueries({ queryKey: queryKeys.job(id) });
    },
  });
}
