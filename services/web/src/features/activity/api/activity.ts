// Study sessions and answers (responses).
import { body, http } from "@/lib/api/client";
import type { ResponseInput, SessionInput } from "@/lib/api/types";

export const createSession = (learnerId: number, input: SessionInput) =>
  body(http.POST("/api/learners/{learner_id}/sessions", { params: { path: { learner_id: learnerId } }, body: input }));

export const listSessions = (
  learnerId: number,
  query: { since?: string; until?: string; limit?: number; cursor?: string | null },
  signal?: AbortSignal,
) => body(http.GET("/api/learners/{learner_id}/sessions", { params: { path: { learner_id: learnerId }, query }, signal }));

export const postResponses = (learnerId: number, responses: ResponseInput[]) =>
  body(http.POST("/api/learners/{learner_id}/responses", { params: { path: { learner_id: learnerId } }, body: { responses } }));
