import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { velocityParts } from "@/features/analytics/utils/velocity";
import type { Velocity } from "@/lib/api/types";
import { formatNumber } from "@/lib/format";

const COLORS = ["bg-chart-1", "bg-chart-2", "bg-chart-3", "bg-chart-4"];

/** The score's four parts and how much each adds. */
export function VelocityBreakdown({ velocity }: { velocity: Velocity }) {
  const parts = velocityParts(velocity);
  const total = parts.reduce((sum, part) => sum + part.contribution, 0);
  return (
    <Card data-testid="velocity-breakdown">
      <CardHeader>
        <CardTitle as="h2">What makes up your score</CardTitle>
        <CardDescription>Each part is weighted; together they add up to {formatNumber(velocity.velocity_score)}.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="flex h-3 w-full overflow-hidden rounded-full bg-muted" aria-hidden="true">
          {total > 0
            ? parts.map((part, index) => (
                <div key={part.key} className={COLORS[index]} style={{ width: `${(part.contribution / total) * 100}%` }} />
              ))
            : null}
        </div>
        <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          {parts.map((part, index) => (
            <li key={part.key} className="flex items-start gap-3">
              <span className={`mt-1.5 size-2.5 shrink-0 rounded-full ${COLORS[index] ?? ""}`} aria-hidden="true" />
              <div className="grid grid-cols-1 min-w-0 flex-1 gap-0.5">
                <div className="flex items-baseline justify-between gap-2">
                  <span className="text-sm text-muted-foreground">{part.label}</span>
                  <span className="font-semibold tabular-nums">{part.value}</span>
                </div>
                <span className="text-xs text-muted-foreground">
                  +{formatNumber(part.contribution)} to the score (× {part.weight}) · {part.hint}
                </span>
              </div>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
