import { ArrowRight, RotateCw, X } from "lucide-react";
import { Link } from "react-router";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { useGenerateContent } from "@/features/content/hooks/use-content";
import type { TrackedJob } from "@/features/jobs/hooks/job-tracker-context";
import { useJobTracker } from "@/features/jobs/hooks/job-tracker-context";
import { useJob } from "@/features/jobs/hooks/use-jobs";
import { contentIdOf, isTerminal } from "@/features/jobs/utils/job-status";
import type { Job } from "@/lib/api/types";
import { errorMessage } from "@/lib/errors";
import { formatRelative } from "@/lib/format";
import { toast } from "@/lib/toast";

import { CancelJobButton } from "./CancelJobButton";
import { JobStatusBadge } from "./JobStatusBadge";
import { JobSteps } from "./JobSteps";

function statusSentence(job: Job): string {
  switch (job.status) {
    case "queued":
      return "Waiting for a free worker…";
    case "running":
      return job.attempts > 1 ? `Writing it (attempt ${job.attempts})…` : job.kind === "content" ? "Writing it for you…" : "Crunching your numbers…";
    case "succeeded":
      return "Ready.";
    case "failed":
      return job.error?.message ?? "It did not finish.";
    case "canceled":
      return "Canceled.";
  }
}

/** One job's progress: queued → running → done, with cancel, open and retry. */
export function JobProgressCard({ tracked }: { tracked: TrackedJob }) {
  const { data, error, isPending } = useJob(tracked.id);
  const retry = useGenerateContent();
  const { dismiss } = useJobTracker();
  const job = data?.job;
  const headingId = `job-${tracked.id}`;

  return (
    <Card className="p-4 sm:p-5" aria-labelledby={headingId} data-testid="job-card" data-job-id={tracked.id} data-status={job?.status ?? "loading"}>
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 id={headingId} className="line-clamp-2 font-semibold break-words">
            {tracked.label}
          </h3>
          <p className="text-xs text-muted-foreground">Asked {formatRelative(tracked.createdAt)}</p>
        </div>
        <div className="flex shrink-0 items-center gap-1">
          {job ? <JobStatusBadge status={job.status} /> : null}
          {job && isTerminal(job.status) ? (
            <Button variant="ghost" size="icon-sm" aria-label={`Dismiss ${tracked.label}`} onClick={() => dismiss(tracked.id)}>
              <X aria-hidden="true" />
            </Button>
          ) : null}
        </div>
      </div>

      {isPending ? (
        <Skeleton className="mt-4 h-6 w-full" />
      ) : error || !job ? (
        <p className="mt-3 text-sm text-destructive">{errorMessage(error)}</p>
      ) : (
        <div className="mt-4 grid grid-cols-1 gap-3">
          <JobSteps status={job.status} />
          {!isTerminal(job.status) ? (
            <Progress value={job.status === "queued" ? 8 : null} aria-label={`${tracked.label}: ${job.status}`} className="h-1.5" />
          ) : null}
          <p className="text-sm text-muted-foreground" aria-live="polite" role="status">
            <span className="sr-only">{tracked.label}: </span>
            {statusSentence(job)}
          </p>
          <div className="flex flex-wrap gap-2">
            {job.status === "queued" ? <CancelJobButton jobId={job.id} /> : null}
            {job.status === "succeeded" && contentIdOf(job) ? (
              <Button asChild size="sm">
                <Link to={`/content/${contentIdOf(job) ?? ""}`}>
                  Open {tracked.request?.content_type ?? "it"} <ArrowRight aria-hidden="true" />
                </Link>
              </Button>
            ) : null}
            {job.status === "succeeded" && job.kind === "analytics" ? (
              <Button asChild size="sm" variant="outline">
                <Link to="/progress">View progress</Link>
              </Button>
            ) : null}
            {(job.status === "failed" || job.status === "canceled") && tracked.request ? (
              <Button
                variant="outline"
                size="sm"
                disabled={retry.isPending}
                onClick={() => {
                  const request = tracked.request;
                  if (!request) return;
                  retry.mutate(
                    { learnerId: tracked.learnerId, input: request },
                    {
                      onSuccess: () => dismiss(tracked.id),
                      onError: (retryError) => toast({ variant: "error", title: "Could not ask again", description: errorMessage(retryError) }),
                    },
                  );
                }}
              >
                <RotateCw aria-hidden="true" /> Try again
              </Button>
            ) : null}
          </div>
        </div>
      )}
    </Card>
  );
}
