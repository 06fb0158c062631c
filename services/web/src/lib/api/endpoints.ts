// One function per endpoint of the HTTP contract. Paths, parameters and bodies are checked
// against the generated contract (schema.d.ts) by openapi-fetch.
import { body, http, parseRetryAfter, publicHttp } from "./client";
import type {
  ContentType,
  GenerateContentInput,
  Job,
  JobKind,
  JobStatus,
  LearnerInput,
  LearnerUpdate,
  RegisterInput,
  ResponseInput,
  SessionInput,
} from "./types";
import { randomId } from "../utils";

// --- auth ---------------------------------------------------------------------------------------
export const register = (input: RegisterInput) => body(publicHttp.POST("/api/auth/register", { body: input }));

export const signIn = (username: string, password: string) =>
  body(
    publicHttp.POST("/api/auth/token", {
      body: { username, password },
      bodySerializer: (form) => new URLSearchParams(form as Record<string, string>),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
  );

export const getMe = (signal?: AbortSignal) => body(http.GET("/api/users/me", { signal }));

// --- the account ----------------------------------------------------------------------------------
/** This token is refused from now on. */
export const logOut = () => body(http.POST("/api/auth/logout"));

/** Every token issued to this account so far is refused from now on. */
export const logOutEverywhere = () => body(http.POST("/api/auth/logout-all"));

/** 204; every earlier token (this one too) is refused afterwards: sign in again. */
export const changePassword = (currentPassword: string, newPassword: string) =>
  body(http.POST("/api/users/me/password", { body: { current_password: currentPassword, new_password: newPassword } }));

export interface DataExport {
  /** The JSON document, as the server sent it. */
  text: string;
  filename: string;
}

/** Everything stored about the user, with the file name the server suggests. */
export async function exportMyData(): Promise<DataExport> {
  const { data, response } = await http.GET("/api/users/me/export");
  const disposition = response.headers.get("content-disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "ailp-export.json";
  return { text: JSON.stringify(data, null, 2), filename };
}

export const deleteAccount = (password: string) => body(http.DELETE("/api/users/me", { body: { password } }));

// --- learners -----------------------------------------------------------------------------------
export const listLearners = (signal?: AbortSignal) => body(http.GET("/api/learners", { signal }));

export const getLearner = (id: number, signal?: AbortSignal) =>
  body(http.GET("/api/learners/{learner_id}", { params: { path: { learner_id: id } }, signal }));

export const createLearner = (input: LearnerInput) => body(http.POST("/api/learners", { body: input }));

export const updateLearner = (id: number, input: LearnerUpdate) =>
  body(http.PATCH("/api/learners/{learner_id}", { params: { path: { learner_id: id } }, body: input }));

export const deleteLearner = (id: number) =>
  body(http.DELETE("/api/learners/{learner_id}", { params: { path: { learner_id: id } } }));

// --- sessions and responses ---------------------------------------------------------------------
export const createSession = (learnerId: number, input: SessionInput) =>
  body(http.POST("/api/learners/{learner_id}/sessions", { params: { path: { learner_id: learnerId } }, body: input }));

export const listSessions = (
  learnerId: number,
  query: { since?: string; until?: string; limit?: number; cursor?: string | null },
  signal?: AbortSignal,
) => body(http.GET("/api/learners/{learner_id}/sessions", { params: { path: { learner_id: learnerId }, query }, signal }));

export const postResponses = (learnerId: number, responses: ResponseInput[]) =>
  body(http.POST("/api/learners/{learner_id}/responses", { params: { path: { learner_id: learnerId } }, body: { responses } }));

// --- jobs ---------------------------------------------------------------------------------------
/** A job and how long the server asks us to wait before polling again (seconds). */
export interface JobPoll {
  job: Job;
  retryAfter: number | null;
}

async function jobPoll(sending: Promise<{ data?: Job; response: Response }>): Promise<JobPoll> {
  const { data, response } = await sending;
  return { job: data as Job, retryAfter: parseRetryAfter(response.headers.get("retry-after")) };
}

export const getJob = (id: string, signal?: AbortSignal): Promise<JobPoll> =>
  jobPoll(http.GET("/api/jobs/{job_id}", { params: { path: { job_id: id } }, signal }));

export const listJobs = (
  query: { learner_id?: number; status?: JobStatus; kind?: JobKind; limit?: number; cursor?: string | null },
  signal?: AbortSignal,
) => body(http.GET("/api/jobs", { params: { query }, signal }));

export const cancelJob = (id: string) => body(http.DELETE("/api/jobs/{job_id}", { params: { path: { job_id: id } } }));

// --- content ------------------------------------------------------------------------------------
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

// --- analytics ----------------------------------------------------------------------------------
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

// --- admin --------------------------------------------------------------------------------------
export const getAdminStats = (days: number, signal?: AbortSignal) =>
  body(http.GET("/api/admin/stats", { params: { query: { days } }, signal }));

export const getLearnerModel = (signal?: AbortSignal) => body(http.GET("/api/admin/learner-model", { signal }));
