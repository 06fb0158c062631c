// One typed function per endpoint of the HTTP contract.
import { api, parseRetryAfter, request, type ApiResponse } from "./client";
import type {
  AdminStats,
  AnalyticsResult,
  Content,
  ContentType,
  GenerateContentInput,
  Job,
  JobKind,
  JobStatus,
  Learner,
  LearnerInput,
  LearnerModel,
  LearnerUpdate,
  Page,
  RegisterInput,
  ResponseInput,
  Session,
  SessionInput,
  TokenResponse,
  User,
} from "./types";
import { randomId } from "../utils";

// --- auth ---------------------------------------------------------------------------------------
export const register = (input: RegisterInput) =>
  api<Omit<User, "role">>("/api/auth/register", { method: "POST", json: input, auth: false });

export const signIn = (username: string, password: string) =>
  api<TokenResponse>("/api/auth/token", {
    method: "POST",
    form: { username, password },
    auth: false,
  });

export const getMe = (signal?: AbortSignal) => api<User>("/api/users/me", { signal });

// --- the account ----------------------------------------------------------------------------------
/** This token is refused from now on. */
export const logOut = () => api<undefined>("/api/auth/logout", { method: "POST" });

/** Every token issued to this account so far is refused from now on. */
export const logOutEverywhere = () => api<undefined>("/api/auth/logout-all", { method: "POST" });

/** 204; every earlier token (this one too) is refused afterwards: sign in again. */
export const changePassword = (currentPassword: string, newPassword: string) =>
  api<undefined>("/api/users/me/password", {
    method: "POST",
    json: { current_password: currentPassword, new_password: newPassword },
  });

export interface DataExport {
  /** The JSON document, as the server sent it. */
  text: string;
  filename: string;
}

/** Everything stored about the user, with the file name the server suggests. */
export async function exportMyData(): Promise<DataExport> {
  const answer = await request<unknown>("/api/users/me/export");
  const disposition = answer.headers.get("content-disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "ailp-export.json";
  return { text: JSON.stringify(answer.data, null, 2), filename };
}

export const deleteAccount = (password: string) =>
  api<undefined>("/api/users/me", { method: "DELETE", json: { password } });

// --- learners -----------------------------------------------------------------------------------
export const listLearners = (signal?: AbortSignal) => api<Learner[]>("/api/learners", { signal });

export const getLearner = (id: number, signal?: AbortSignal) =>
  api<Learner>(`/api/learners/${id}`, { signal });

export const createLearner = (input: LearnerInput) =>
  api<Learner>("/api/learners", { method: "POST", json: input });

export const updateLearner = (id: number, input: LearnerUpdate) =>
  api<Learner>(`/api/learners/${id}`, { method: "PATCH", json: input });

export const deleteLearner = (id: number) =>
  api<undefined>(`/api/learners/${id}`, { method: "DELETE" });

// --- sessions and responses ---------------------------------------------------------------------
export const createSession = (learnerId: number, input: SessionInput) =>
  api<Session>(`/api/learners/${learnerId}/sessions`, { method: "POST", json: input });

export const listSessions = (
  learnerId: number,
  params: { since?: string; until?: string; limit?: number; cursor?: string | null },
  signal?: AbortSignal,
) => api<Page<Session>>(`/api/learners/${learnerId}/sessions`, { query: params, signal });

export const postResponses = (learnerId: number, responses: ResponseInput[]) =>
  api<{ stored: number }>(`/api/learners/${learnerId}/responses`, {
    method: "POST",
    json: { responses },
  });

// --- jobs ---------------------------------------------------------------------------------------
/** A job and how long the server asks us to wait before polling again (seconds). */
export interface JobPoll {
  job: Job;
  retryAfter: number | null;
}

function jobPoll(response: ApiResponse<Job>): JobPoll {
  return { job: response.data, retryAfter: parseRetryAfter(response.headers.get("retry-after")) };
}

export const getJob = async (id: string, signal?: AbortSignal): Promise<JobPoll> =>
  jobPoll(await request<Job>(`/api/jobs/${id}`, { signal }));

export const listJobs = (
  params: {
    learner_id?: number;
    status?: JobStatus;
    kind?: JobKind;
    limit?: number;
    cursor?: string | null;
  },
  signal?: AbortSignal,
) => api<Page<Job>>("/api/jobs", { query: params, signal });

export const cancelJob = (id: string) => api<Job>(`/api/jobs/${id}`, { method: "DELETE" });

// --- content ------------------------------------------------------------------------------------
/** Enqueue generation; the Idempotency-Key makes a retried submit return the same job. */
export const generateContent = async (
  learnerId: number,
  input: GenerateContentInput,
  idempotencyKey: string = randomId(),
): Promise<JobPoll> =>
  jobPoll(
    await request<Job>(`/api/learners/${learnerId}/generate-content`, {
      method: "POST",
      json: input,
      headers: { "Idempotency-Key": idempotencyKey },
    }),
  );

export const getContent = (id: string, signal?: AbortSignal) =>
  api<Content>(`/api/content/${id}`, { signal });

export const listContent = (
  learnerId: number,
  params: { content_type?: ContentType; limit?: number; cursor?: string | null },
  signal?: AbortSignal,
) => api<Page<Content>>(`/api/learners/${learnerId}/content`, { query: params, signal });

// --- analytics ----------------------------------------------------------------------------------
export const requestAnalytics = async (
  learnerId: number,
  input: { days?: number },
  idempotencyKey: string = randomId(),
): Promise<JobPoll> =>
  jobPoll(
    await request<Job>(`/api/learners/${learnerId}/analytics`, {
      method: "POST",
      json: input,
      headers: { "Idempotency-Key": idempotencyKey },
    }),
  );

export const getAnalytics = (learnerId: number, signal?: AbortSignal) =>
  api<AnalyticsResult>(`/api/learners/${learnerId}/analytics`, { signal });

// --- admin --------------------------------------------------------------------------------------
export const getAdminStats = (days: number, signal?: AbortSignal) =>
  api<AdminStats>("/api/admin/stats", { query: { days }, signal });

export const getLearnerModel = (signal?: AbortSignal) => api<LearnerModel>("/api/admin/learner-model", { signal });
