import { ArrowRight, ListTodo } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { LoadMore } from "@/components/common/LoadMore";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { useJobTracker } from "@/features/jobs/hooks/job-tracker-context";
import { useJobList } from "@/features/jobs/hooks/use-jobs";
import { contentIdOf } from "@/features/jobs/utils/job-status";
import { JOB_STATUSES, type Job, type JobKind, type JobStatus } from "@/lib/api/types";
import { formatRelative, STATUS_LABEL } from "@/lib/format";
import { toast } from "@/lib/toast";

import { CancelJobButton } from "./CancelJobButton";
import { JobStatusBadge } from "./JobStatusBadge";

function jobTitle(job: Job, tracked: string | undefined): string {
  if (tracked) return tracked;
  if (job.kind === "analytics") return "Progress update";
  const result = job.result;
  if (result && typeof result.title === "string") return result.title;
  return "Content request";
}

function JobRow({ job, label }: { job: Job; label: string }) {
  const contentId = contentIdOf(job);
  return (
    <li className="flex flex-col gap-2 rounded-xl border bg-card p-4 sm:flex-row sm:items-center">
      <div className="grid grid-cols-1 min-w-0 flex-1 gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <JobStatusBadge status={job.status} />
          <span className="text-xs text-muted-foreground">
            {job.kind === "content" ? "Content" : "Analytics"} · {formatRelative(job.created_at)}
            {job.attempts > 1 ? ` · ${job.attempts} attempts` : ""}
          </span>
        </div>
        <p className="truncate font-medium">{label}</p>
        {job.status === "failed" && job.error ? <p className="text-sm text-destructive">{job.error.message}</p> : null}
      </div>
      <div className="flex shrink-0 gap-2">
        {job.status === "queued" ? <CancelJobButton jobId={job.id} onCanceled={() => toast({ title: "Request canceled" })} /> : null}
        {contentId ? (
          <Button asChild variant="outline" size="sm">
            <Link to={`/content/${contentId}`}>
              Open <ArrowRight aria-hidden="true" />
            </Link>
          </Button>
        ) : null}
      </div>
    </li>
  );
}

export function JobHistory({ learnerId }: { learnerId: number }) {
  const [status, setStatus] = useState<JobStatus | "all">("all");
  const [kind, setKind] = useState<JobKind | "all">("all");
  const list = useJobList({ learnerId, status, kind });
  const { jobs: tracked } = useJobTracker();
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="grid grid-cols-1 gap-4">
      <div className="grid grid-cols-2 gap-3 sm:flex">
        <div className="grid grid-cols-1 gap-1.5 sm:w-44">
          <Label htmlFor="job-status-filter">Status</Label>
          <Select value={status} onValueChange={(value) => setStatus(value as JobStatus | "all")}>
            <SelectTrigger id="job-status-filter">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="all">All statuses</SelectItem>
              {JOB_STATUSES.map((value) => (
                <SelectItem key={value} value={value}>
                  {STATUS_LABEL[value]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        <div className="grid grid-cols-1 gap-1.5 sm:w-44">
          <Label htmlFor="job-kind-filter">Kind</Label>
          <Select value={kind} onValueChange={(value) => setKind(value as JobKind | "all")}>
            <SelectTrigger id="job-kind-filter">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="all">All kinds</SelectItem>
              <SelectItem value="content">Content</SelectItem>
              <SelectItem value="analytics">Analytics</SelectItem>
            </SelectContent>
          </Select>
        </div>
      </div>
      {list.isPending ? (
        <div className="grid grid-cols-1 gap-3" role="status" aria-label="Loading your requests">
          {[0, 1, 2].map((index) => (
            <Skeleton key={index} className="h-16" />
          ))}
        </div>
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon={ListTodo}
          title="No requests match"
          description="Every lesson, quiz, exercise and progress update you ask for is a request you can follow here."
        />
      ) : (
        <>
          <ul className="grid grid-cols-1 gap-3" aria-label="Your requests">
            {items.map((job) => (
              <JobRow key={job.id} job={job} label={jobTitle(job, tracked.find((item) => item.id === job.id)?.label)} />
            ))}
          </ul>
          <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} />
        </>
      )}
    </div>
  );
}
