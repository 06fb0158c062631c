// A learner's analytics (velocity, gaps, mastery).
import { jobPoll, type JobPoll } from "@/features/jobs/api/jobs";
import { body, http } from "@/lib/api/client";
import { randomId } from "@/lib/utils";

export const requestAnalytics = (
  learnerId: number,
  input: { days?: number },
  idempotencyKey: string = randomId(),
): Promise<JobPoll> =>
  jobPoll(
    http.POST("/api/learners/{learner_id}/analytics", {
      params: { path: { learner_id: learnerId }, header: { "idempotency-key": idempotencyKey } },
      body: input,
    }),
  );

export const getAnalytics = (learnerId: number, signal?: AbortSignal) =>
  body(http.GET("/api/learners/{learner_id}/analytics", { params: { path: { learner_id: learnerId } }, signal }));
