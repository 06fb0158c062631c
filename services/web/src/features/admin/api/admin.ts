// The operator's figures (administrators only).
import { body, http } from "@/lib/api/client";

export const getAdminStats = (days: number, signal?: AbortSignal) =>
  body(http.GET("/api/admin/stats", { params: { query: { days } }, signal }));

export const getLearnerModel = (signal?: AbortSignal) => body(http.GET("/api/admin/learner-model", { signal }));
