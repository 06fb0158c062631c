import { Minus, TrendingDown, TrendingUp, HelpCircle } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { trendLabel } from "@/features/analytics/utils/velocity";
import type { Velocity } from "@/lib/api/types";
import { formatNumber } from "@/lib/format";

const TREND_STYLE = {
  improving: { icon: TrendingUp, variant: "success" },
  stable: { icon: Minus, variant: "secondary" },
  declining: { icon: TrendingDown, variant: "destructive" },
  insufficient_data: { icon: HelpCircle, variant: "outline" },
} as const;

export function TrendBadge({ trend }: { trend: string }) {
  const style = trend in TREND_STYLE ? TREND_STYLE[trend as keyof typeof TREND_STYLE] : TREND_STYLE.insufficient_data;
  const Icon = style.icon;
  return (
    <Badge variant={style.variant}>
      <Icon aria-hidden="true" /> {trendLabel(trend)}
    </Badge>
  );
}

export function VelocityCard({ velocity, windowDays }: { velocity: Velocity; windowDays: number }) {
  return (
    <Card data-testid="velocity-card">
      <CardHeader>
        <CardTitle as="h2">Learning velocity</CardTitle>
        <CardDescription>
          Last {windowDays} days · {velocity.sessions} {velocity.sessions === 1 ? "session" : "sessions"}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-3">
        <p className="text-5xl font-semibold tracking-tight tabular-nums" aria-label={`Velocity score ${formatNumber(velocity.velocity_score)}`}>
          {formatNumber(velocity.velocity_score)}
        </p>
        <div className="flex items-center gap-2">
          <TrendBadge trend={velocity.trend} />
        </div>
      </CardContent>
    </Card>
  );
}
