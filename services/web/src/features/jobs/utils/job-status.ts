import type { Job, JobStatus } from "@/lib/api/types";

export const TERMINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "canceled"];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The content a finished content job wrote, or null (analytics jobs, or not done yet). */
export function contentIdOf(job: Job): string | null {
  return job.kind === "content" && job.result && typeof job.result.content_id === "string" ? job.result.content_id : null;
}
