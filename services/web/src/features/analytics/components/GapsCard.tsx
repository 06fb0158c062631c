import { Target } from "lucide-react";
import { Bar, BarChart, Rectangle, ResponsiveContainer, Tooltip, XAxis, YAxis, type BarShapeProps } from "recharts";

import { EmptyState } from "@/components/common/EmptyState";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { SEVERITY_COLOR } from "@/features/analytics/utils/severity";
import type { KnowledgeGap } from "@/lib/api/types";
import { formatNumber, formatPercent } from "@/lib/format";

const SEVERITY_VARIANT = { high: "destructive", medium: "warning", low: "secondary" } as const;

export function SeverityBadge({ severity }: { severity: string }) {
  const variant = severity in SEVERITY_VARIANT ? SEVERITY_VARIANT[severity as keyof typeof SEVERITY_VARIANT] : "outline";
  return (
    <Badge variant={variant}>
      <span className="size-2 rounded-full" style={{ background: SEVERITY_COLOR[severity] ?? "currentColor" }} aria-hidden="true" />
      {severity.charAt(0).toUpperCase() + severity.slice(1)}
    </Badge>
  );
}

/** Knowledge gaps as bars by priority, coloured by severity, with the numbers as a list. */
export function GapsCard({ gaps }: { gaps: KnowledgeGap[] }) {
  const top = gaps.slice(0, 8);
  return (
    <Card data-testid="gaps-card">
      <CardHeader>
        <CardTitle as="h2">Knowledge gaps</CardTitle>
        <CardDescription>Concepts you got wrong, most urgent first (error rate × level × how often you tried).</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        {top.length === 0 ? (
          <EmptyState icon={Target} title="No gaps found" description="Every answer in this window was right. Keep practising to keep it that way." />
        ) : (
          <>
            <div style={{ height: 24 + top.length * 40 }} role="img" aria-label={`Priority of ${top.length} knowledge gaps; the list below has the details`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={top} layout="vertical" margin={{ top: 0, right: 12, bottom: 0, left: 0 }}>
                  <XAxis type="number" hide />
                  <YAxis
                    type="category"
                    dataKey="concept"
                    width={110}
                    tick={{ fontSize: 12, fill: "var(--foreground)" }}
                    tickFormatter={(value: string) => (value.length > 16 ? `${value.slice(0, 15)}…` : value)}
                  />
                  <Tooltip
                    cursor={{ fill: "var(--muted)" }}
                    formatter={(value) => [formatNumber(Number(value)), "Priority"]}
                    contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8 }}
                  />
                  <Bar
                    dataKey="priority_score"
                    radius={[0, 6, 6, 0]}
                    maxBarSize={26}
                    isAnimationActive={false}
                    shape={(props: BarShapeProps) => (
                      <Rectangle {...props} fill={SEVERITY_COLOR[top[props.index]?.severity ?? ""] ?? "var(--chart-1)"} />
                    )}
                  />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <ul className="grid grid-cols-1 gap-2" aria-label="Knowledge gaps">
              {gaps.map((gap) => (
                <li key={gap.concept} className="flex items-center justify-between gap-3 rounded-lg border p-3 text-sm">
                  <div className="grid grid-cols-1 min-w-0 gap-0.5">
                    <span className="truncate font-medium">{gap.concept}</span>
                    <span className="text-xs text-muted-foreground">
                      {gap.incorrect} of {gap.total} wrong ({formatPercent(gap.error_rate)}) · priority {formatNumber(gap.priority_score)}
                    </span>
                  </div>
                  <SeverityBadge severity={gap.severity} />
                </li>
              ))}
            </ul>
          </>
        )}
      </CardContent>
    </Card>
  );
}
