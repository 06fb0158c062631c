// Jobs: the asynchronous work behind generation and analytics.
import { body, http, parseRetryAfter } from "@/lib/api/client";
import type { Job, JobKind, JobStatus } from "@/lib/api/types";

/** A job and how long the server asks us to wait before polling again (seconds). */
export interface JobPoll {
  job: Job;
  retryAfter: number | null;
}

export async function jobPoll(sending: Promise<{ data?: Job; response: Response }>): Promise<JobPoll> {
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
