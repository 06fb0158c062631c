// Learner profiles.
import { body, http } from "@/lib/api/client";
import type { LearnerInput, LearnerUpdate } from "@/lib/api/types";

export const listLearners = (signal?: AbortSignal) => body(http.GET("/api/learners", { signal }));

export const getLearner = (id: number, signal?: AbortSignal) =>
  body(http.GET("/api/learners/{learner_id}", { params: { path: { learner_id: id } }, signal }));

export const createLearner = (input: LearnerInput) => body(http.POST("/api/learners", { body: input }));

export const updateLearner = (id: number, input: LearnerUpdate) =>
  body(http.PATCH("/api/learners/{learner_id}", { params: { path: { learner_id: id } }, body: input }));

export const deleteLearner = (id: number) =>
  body(http.DELETE("/api/learners/{learner_id}", { params: { path: { learner_id: id } } }));
