import { Award, GraduationCap } from "lucide-react";

import { EmptyState } from "@/components/common/EmptyState";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import type { MasteryRow } from "@/features/analytics/utils/learning";
import { formatPercent, formatRelative } from "@/lib/format";

/** How likely it is that each concept is learnt (Bayesian knowledge tracing). */
export function MasteryCard({ rows }: { rows: MasteryRow[] }) {
  const mastered = rows.filter((row) => row.mastered).length;
  return (
    <Card data-testid="mastery-card">
      <CardHeader>
        <CardTitle as="h2">Mastery</CardTitle>
        <CardDescription>
          {rows.length > 0
            ? `${mastered} of ${rows.length} concepts mastered (95% sure you know it).`
            : "How sure we are that you know each concept you practised."}
        </CardDescription>
      </CardHeader>
      <CardContent>
        {rows.length === 0 ? (
          <EmptyState icon={GraduationCap} title="No concepts practised yet" description="Answer quiz or exercise questions and your mastery of each concept appears here." />
        ) : (
          <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2" aria-label="Mastery per concept">
            {rows.map((row) => (
              <li key={row.concept} className="grid grid-cols-1 gap-1.5">
                <div className="flex items-center justify-between gap-2 text-sm">
                  <span className="truncate font-medium">{row.concept}</span>
                  <span className="flex shrink-0 items-center gap-2">
                    {row.mastered ? (
                      <Badge variant="success">
                        <Award aria-hidden="true" /> Mastered
                      </Badge>
                    ) : null}
                    <span className="font-semibold tabular-nums">{formatPercent(row.p_mastery)}</span>
                  </span>
                </div>
                <Progress
                  value={Math.round(row.p_mastery * 100)}
                  aria-label={`${row.concept} mastery`}
                  indicatorClassName={row.mastered ? "bg-success" : undefined}
                />
                <span className="text-xs text-muted-foreground">
                  {row.attempts !== null ? `${row.correct ?? 0} of ${row.attempts} right` : ""}
                  {row.attempts !== null && row.next_review_at ? " · " : ""}
                  {row.next_review_at ? `review ${formatRelative(row.next_review_at)}` : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
