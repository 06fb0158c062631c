import { Pie, PieChart, ResponsiveContainer, Sector, Tooltip, type PieSectorShapeProps } from "recharts";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { AdminStats, ContentSource } from "@/lib/api/types";
import { formatPercent, SOURCE_LABEL } from "@/lib/format";

const SOURCE_COLOR: Record<ContentSource, string> = {
  openai: "var(--chart-1)",
  cache: "var(--chart-2)",
  fallback: "var(--chart-4)",
};

/** AI performance: how content was produced, success and fallback rates. */
export function AiCard({ content }: { content: AdminStats["content"] }) {
  const sources: ContentSource[] = ["openai", "cache", "fallback"];
  const data = sources.map((source) => ({ source, label: SOURCE_LABEL[source], value: content.by_source[source] ?? 0 }));
  const total = data.reduce((sum, item) => sum + item.value, 0);
  return (
    <Card data-testid="ai-card">
      <CardHeader>
        <CardTitle as="h2">AI performance</CardTitle>
        <CardDescription>{content.generated} pieces of content in the window.</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4 sm:grid-cols-[10rem_1fr] sm:items-center">
        <div className="mx-auto size-40" role="img" aria-label={`Content by source: ${data.map((item) => `${item.label} ${item.value}`).join(", ")}`}>
          {total > 0 ? (
            <ResponsiveContainer width="100%" height="100%">
              <PieChart>
                <Pie
                  data={data}
                  dataKey="value"
                  nameKey="label"
                  innerRadius={45}
                  outerRadius={70}
                  paddingAngle={2}
                  isAnimationActive={false}
                  shape={(props: PieSectorShapeProps) => {
                    const source = data[props.index]?.source;
                    return <Sector {...props} fill={source ? SOURCE_COLOR[source] : "var(--chart-1)"} />;
                  }}
                />
                <Tooltip contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8 }} />
              </PieChart>
            </ResponsiveContainer>
          ) : (
            <div className="flex size-40 items-center justify-center rounded-full border-8 border-muted text-xs text-muted-foreground">No content</div>
          )}
        </div>
        <div className="grid grid-cols-1 gap-3">
          <dl className="grid grid-cols-2 gap-3">
            <div className="rounded-lg bg-muted/60 p-3">
              <dt className="text-xs text-muted-foreground">AI success rate</dt>
              <dd className="text-xl font-semibold tabular-nums">{formatPercent(content.ai_success_rate, 1)}</dd>
            </div>
            <div className="rounded-lg bg-muted/60 p-3">
              <dt className="text-xs text-muted-foreground">Fallback rate</dt>
              <dd className="text-xl font-semibold tabular-nums">{formatPercent(content.fallback_rate, 1)}</dd>
            </div>
          </dl>
          <ul className="grid grid-cols-1 gap-1 text-sm" aria-label="Content by source">
            {data.map((item) => (
              <li key={item.source} className="flex items-center justify-between gap-2">
                <span className="flex items-center gap-2">
                  <span className="size-2.5 rounded-full" style={{ background: SOURCE_COLOR[item.source] }} aria-hidden="true" />
                  {item.label} <span className="text-xs text-muted-foreground">({item.source})</span>
                </span>
                <span className="font-semibold tabular-nums">{item.value}</span>
              </li>
            ))}
          </ul>
        </div>
      </CardContent>
    </Card>
  );
}
