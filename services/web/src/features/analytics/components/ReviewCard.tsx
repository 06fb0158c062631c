import { CalendarCheck, ListChecks } from "lucide-react";

import { EmptyState } from "@/components/common/EmptyState";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { ReviewSchedule } from "@/features/analytics/utils/learning";
import { formatRelative } from "@/lib/format";

/** What is due for review now (spaced repetition), and what comes next. */
export function ReviewCard({
  schedule,
  onReview,
  pendingConcept,
}: {
  schedule: ReviewSchedule;
  onReview: (concept: string) => void;
  pendingConcept: string | null;
}) {
  const { due, upcoming } = schedule;
  return (
    <Card data-testid="review-card">
      <CardHeader>
        <CardTitle as="h2">Due for review</CardTitle>
        <CardDescription>Reviewing at the right moment makes it stick.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        {due.length === 0 ? (
          <EmptyState icon={CalendarCheck} title="Nothing due right now" description={upcoming[0] ? `Next: ${upcoming[0].concept}, ${formatRelative(upcoming[0].next_review_at ?? "")}.` : "Answer some questions to build your review schedule."} className="py-6" />
        ) : (
          <ul className="grid grid-cols-1 gap-2" aria-label="Concepts due for review">
            {due.map((row) => (
              <li key={row.concept} className="flex items-center justify-between gap-2 rounded-lg border p-3">
                <div className="grid grid-cols-1 min-w-0">
                  <span className="truncate text-sm font-medium">{row.concept}</span>
                  <span className="text-xs text-muted-foreground">due {formatRelative(row.next_review_at ?? "")}</span>
                </div>
                <Button size="sm" variant="outline" disabled={pendingConcept === row.concept} onClick={() => onReview(row.concept)}>
                  <ListChecks aria-hidden="true" /> Quiz me
                </Button>
              </li>
            ))}
          </ul>
        )}
        {due.length > 0 && upcoming.length > 0 ? (
          <div>
            <h3 className="mb-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Coming up</h3>
            <ul className="grid grid-cols-1 gap-1 text-sm">
              {upcoming.slice(0, 4).map((row) => (
                <li key={row.concept} className="flex justify-between gap-2">
                  <span className="truncate">{row.concept}</span>
                  <span className="shrink-0 text-muted-foreground">{formatRelative(row.next_review_at ?? "")}</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
