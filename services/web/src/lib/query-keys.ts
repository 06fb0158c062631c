import type { ContentType, JobKind, JobStatus } from "@/lib/api/types";

export const queryKeys = {
  me: ["me"] as const,
  learners: ["learners"] as const,
  learner: (id: number) => ["learners", id] as const,
  analytics: (learnerId: number) => ["learners", learnerId, "analytics"] as const,
  sessions: (learnerId: number) => ["learners", learnerId, "sessions"] as const,
  contentList: (learnerId: number, type: ContentType | "all") => ["learners", learnerId, "content", type] as const,
  contentLists: (learnerId: number) => ["learners", learnerId, "content"] as const,
  content: (id: string) => ["content", id] as const,
  job: (id: string) => ["job", id] as const,
  jobs: (filters: { learnerId?: number; status?: JobStatus | "all"; kind?: JobKind | "all" }) =>
    ["jobs", filters] as const,
  allJobs: ["jobs"] as const,
  adminStats: (days: number) => ["admin", "stats", days] as const,
  learnerModel: ["admin", "learner-model"] as const,
};
