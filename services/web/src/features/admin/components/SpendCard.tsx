import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import type { AdminStats } from "@/lib/api/types";
import { formatPercent, formatUsd } from "@/lib/format";

/** Model spend today against the daily budget, and over the window. */
export function SpendCard({ content, windowDays }: { content: AdminStats["content"]; windowDays: number }) {
  const budget = content.budget_usd_today;
  const share = budget > 0 ? content.cost_usd_today / budget : 0;
  const tone = share >= 0.9 ? "bg-destructive" : share >= 0.7 ? "bg-warning" : "bg-success";
  return (
    <Card data-testid="spend-card">
      <CardHeader>
        <CardTitle as="h2">Spend</CardTitle>
        <CardDescription>Model cost today (UTC) against the daily budget.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="flex items-baseline justify-between gap-2">
          <p className="text-3xl font-semibold tabular-nums">{formatUsd(content.cost_usd_today)}</p>
          <p className="text-sm text-muted-foreground">of {formatUsd(budget)}</p>
        </div>
        <Progress value={Math.min(100, share * 100)} indicatorClassName={tone} aria-label={`Budget used today: ${formatPercent(share)}`} />
        <p className="text-sm text-muted-foreground">
          {formatPercent(share)} of today’s budget used · {formatUsd(content.cost_usd)} in the last {windowDays} days
        </p>
      </CardContent>
    </Card>
  );
}
