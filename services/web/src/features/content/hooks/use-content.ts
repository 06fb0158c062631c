import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { generateContent, getContent, listContent } from "@/features/content/api/content";
import { type JobPoll } from "@/features/jobs/api/jobs";
import { useJobTracker } from "@/features/jobs/hooks/job-tracker-context";
import type { Content, ContentType, GenerateContentInput } from "@/lib/api/types";
import { CONTENT_TYPE_LABEL } from "@/lib/format";
import { queryKeys } from "@/lib/query-keys";
import { randomId } from "@/lib/utils";

export function useContent(id: string | undefined) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: queryKeys.content(id ?? ""),
    queryFn: ({ signal }) => getContent(id ?? "", signal),
    enabled: Boolean(id),
    staleTime: Infinity, // content never changes once written
    initialData: () => findInLists(queryClient.getQueriesData<{ pages: { items: Content[] }[] }>({ queryKey: ["learners"] }), id),
  });
}

function findInLists(
  entries: [readonly unknown[], { pages: { items: Content[] }[] } | undefined][],
  id: string | undefined,
): Content | undefined {
  for (const [, data] of entries) {
    if (!data || !Array.isArray(data.pages)) continue;
    for (const page of data.pages) {
      const found = page.items.find((item) => item.content_id === id);
      if (found) return found;
    }
  }
  return undefined;
}

export function useContentList(learnerId: number | undefined, type: ContentType | "all") {
  return useInfiniteQuery({
    queryKey: queryKeys.contentList(learnerId ?? 0, type),
    queryFn: ({ pageParam, signal }) =>
      listContent(learnerId ?? 0, { content_type: type === "all" ? undefined : type, limit: 12, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled: learnerId !== undefined,
  });
}

export function contentLabel(input: GenerateContentInput): string {
  return `${CONTENT_TYPE_LABEL[input.content_type]} · ${input.concept}`;
}

/** Ask for content; the job is followed by the tracker (progress, toast when it is done). */
export function useGenerateContent() {
  const queryClient = useQueryClient();
  const { track } = useJobTracker();
  return useMutation({
    mutationFn: ({
      learnerId,
      input,
      idempotencyKey = randomId(),
    }: {
      learnerId: number;
      input: GenerateContentInput;
      idempotencyKey?: string;
    }) => generateContent(learnerId, input, idempotencyKey),
    onSuccess: (poll: JobPoll, { input }) => {
      queryClient.setQueryData<JobPoll>(queryKeys.job(poll.job.id), poll);
      track(poll.job, { label: contentLabel(input), request: input });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allJobs });
    },
  });
}
