import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useRecentSessions } from "@/features/activity/hooks/use-activity";
import type { Velocity } from "@/lib/api/types";
import { formatPercent, formatShortDate } from "@/lib/format";

import { TrendBadge } from "./VelocityCard";

/** Recent vs earlier performance, and each scored session of the window as a line. */
export function TrendCard({ learnerId, velocity, windowDays }: { learnerId: number; velocity: Velocity; windowDays: number }) {
  const sessions = useRecentSessions(learnerId, windowDays);
  const points = (sessions.data?.items ?? [])
    .filter((session) => session.performance_score !== null)
    .map((session) => ({
      at: Date.parse(session.session_start),
      performance: Math.round((session.performance_score ?? 0) * 100),
      completion: session.completion_rate === null ? null : Math.round(session.completion_rate * 100),
    }))
    .sort((a, b) => a.at - b.at);

  return (
    <Card data-testid="trend-card">
      <CardHeader>
        <div className="flex items-center justify-between gap-2">
          <CardTitle as="h2">Trend</CardTitle>
          <TrendBadge trend={velocity.trend} />
        </div>
        <CardDescription>Performance in the last 7 days against the rest of the window.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <dl className="grid grid-cols-2 gap-3">
          <div className="rounded-lg bg-muted/60 p-3">
            <dt className="text-xs text-muted-foreground">Last 7 days</dt>
            <dd className="text-2xl font-semibold tabular-nums">{formatPercent(velocity.recent_performance)}</dd>
          </div>
          <div className="rounded-lg bg-muted/60 p-3">
            <dt className="text-xs text-muted-foreground">Before that</dt>
            <dd className="text-2xl font-semibold tabular-nums">{formatPercent(velocity.historical_performance)}</dd>
          </div>
        </dl>
        {sessions.isPending ? (
          <Skeleton className="h-48" />
        ) : points.length < 2 ? (
          <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">
            Log sessions with a performance score to see your trend as a chart.
          </p>
        ) : (
          <div className="h-48" role="img" aria-label={`Performance of ${points.length} sessions over the last ${windowDays} days`}>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={points} margin={{ top: 5, right: 8, bottom: 0, left: -20 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
                <XAxis
                  dataKey="at"
                  type="number"
                  scale="time"
                  domain={["dataMin", "dataMax"]}
                  tickFormatter={(value: number) => formatShortDate(value)}
                  tick={{ fontSize: 12, fill: "var(--muted-foreground)" }}
                />
                <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 12, fill: "var(--muted-foreground)" }} />
                <Tooltip
                  labelFormatter={(value) => formatShortDate(Number(value))}
                  formatter={(value, name) => [`${String(value)}%`, name === "performance" ? "Performance" : "Completion"]}
                  contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8 }}
                />
                <Line type="monotone" dataKey="performance" stroke="var(--chart-1)" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
                <Line
                  type="monotone"
                  dataKey="completion"
                  stroke="var(--chart-2)"
                  strokeWidth={2}
                  strokeDasharray="4 4"
                  dot={false}
                  connectNulls
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
