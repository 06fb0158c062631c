import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { AdminStats } from "@/lib/api/types";

export function TopConceptsCard({ concepts }: { concepts: AdminStats["top_concepts"] }) {
  const top = concepts.slice(0, 10);
  return (
    <Card data-testid="top-concepts-card">
      <CardHeader>
        <CardTitle as="h2">Top concepts</CardTitle>
        <CardDescription>What learners ask for most.</CardDescription>
      </CardHeader>
      <CardContent>
        {top.length === 0 ? (
          <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">No requests in this window.</p>
        ) : (
          <>
            <div style={{ height: 24 + top.length * 36 }} role="img" aria-label={`Requests per concept, top ${top.length}`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={top} layout="vertical" margin={{ top: 0, right: 12, bottom: 0, left: 0 }}>
                  <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12, fill: "var(--muted-foreground)" }} />
                  <YAxis
                    type="category"
                    dataKey="concept"
                    width={120}
                    tick={{ fontSize: 12, fill: "var(--foreground)" }}
                    tickFormatter={(value: string) => (value.length > 18 ? `${value.slice(0, 17)}…` : value)}
                  />
                  <Tooltip cursor={{ fill: "var(--muted)" }} contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8 }} />
                  <Bar dataKey="requests" name="Requests" fill="var(--chart-1)" radius={[0, 6, 6, 0]} maxBarSize={24} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <ol className="sr-only">
              {top.map((item) => (
                <li key={item.concept}>
                  {item.concept}: {item.requests} requests
                </li>
              ))}
            </ol>
          </>
        )}
      </CardContent>
    </Card>
  );
}
