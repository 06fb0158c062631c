import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { AdminStats } from "@/lib/api/types";
import { formatSeconds } from "@/lib/format";
import { cn } from "@/lib/utils";

export function QueueCard({ jobs }: { jobs: AdminStats["jobs"] }) {
  const items: [string, string, string?][] = [
    ["Queued", String(jobs.queued)],
    ["Running", String(jobs.running)],
    ["Failed", String(jobs.failed), jobs.failed > 0 ? "text-destructive" : undefined],
    ["Avg wait", formatSeconds(jobs.avg_wait_seconds)],
  ];
  return (
    <Card data-testid="queue-card">
      <CardHeader>
        <CardTitle as="h2">Queues</CardTitle>
        <CardDescription>Jobs now, failures and wait in the window.</CardDescription>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-2 gap-3">
          {items.map(([term, value, tone]) => (
            <div key={term} className="rounded-lg bg-muted/60 p-3">
              <dt className="text-xs text-muted-foreground">{term}</dt>
              <dd className={cn("text-xl font-semibold tabular-nums", tone)}>{value}</dd>
            </div>
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}
