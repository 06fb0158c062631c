import { CalendarClock } from "lucide-react";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { LoadMore } from "@/components/common/LoadMore";
import { Skeleton } from "@/components/ui/skeleton";
import { useSessionList } from "@/features/activity/hooks/use-activity";
import type { Session } from "@/lib/api/types";
import { formatDateTime, formatMinutes, formatPercent } from "@/lib/format";

function SessionRow({ session }: { session: Session }) {
  const facts: [string, string][] = [
    ["Duration", formatMinutes(session.duration_minutes)],
    ["Completed", formatPercent(session.completion_rate)],
    ["Performance", formatPercent(session.performance_score)],
    ["Exercises", String(session.exercises_completed.length)],
  ];
  return (
    <li className="rounded-xl border bg-card p-4">
      <p className="font-medium">{formatDateTime(session.session_start)}</p>
      <dl className="mt-2 grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt className="text-xs text-muted-foreground">{term}</dt>
            <dd className="font-semibold tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
    </li>
  );
}

export function SessionList({ learnerId }: { learnerId: number }) {
  const list = useSessionList(learnerId);
  if (list.isPending) {
    return (
      <div className="grid grid-cols-1 gap-3" role="status" aria-label="Loading sessions">
        {[0, 1, 2].map((index) => (
          <Skeleton key={index} className="h-24" />
        ))}
      </div>
    );
  }
  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  const items = list.data.pages.flatMap((page) => page.items);
  if (items.length === 0) {
    return (
      <EmptyState
        icon={CalendarClock}
        title="No sessions yet"
        description="Start the timer when you study, or log a session you did earlier. Sessions drive your learning velocity."
      />
    );
  }
  return (
    <>
      <ul className="grid grid-cols-1 gap-3" aria-label="Your study sessions">
        {items.map((session) => (
          <SessionRow key={session.id} session={session} />
        ))}
      </ul>
      <LoadMore hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} onLoadMore={() => void list.fetchNextPage()} />
    </>
  );
}
