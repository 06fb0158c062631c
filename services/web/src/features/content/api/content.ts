// Generated lessons, quizzes and exercises.
import { jobPoll, type JobPoll } from "@/features/jobs/api/jobs";
import { body, http } from "@/lib/api/client";
import type { ContentType, GenerateContentInput } from "@/lib/api/types";
import { randomId } from "@/lib/utils";

/** Enqueue generation; the Idempotency-Key makes a retried submit return the same job. */
export const generateContent = (
  learnerId: number,
  input: GenerateContentInput,
  idempotencyKey: string = randomId(),
): Promise<JobPoll> =>
  jobPoll(
    http.POST("/api/learners/{learner_id}/generate-content", {
      params: { path: { learner_id: learnerId }, header: { "idempotency-key": idempotencyKey } },
      body: input,
    }),
  );

export const getContent = (id: string, signal?: AbortSignal) =>
  body(http.GET("/api/content/{content_id}", { params: { path: { content_id: id } }, signal }));

export const listContent = (
  learnerId: number,
  query: { content_type?: ContentType; limit?: number; cursor?: string | null },
  signal?: AbortSignal,
) => body(http.GET("/api/learners/{learner_id}/content", { params: { path: { learner_id: learnerId }, query }, signal }));
