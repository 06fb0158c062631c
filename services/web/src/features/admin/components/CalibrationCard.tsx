import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { CalibrationBin } from "@/lib/api/types";
import { formatPercent } from "@/lib/format";

function points(bins: CalibrationBin[] | undefined) {
  return (bins ?? [])
    .filter((bin) => bin.answers > 0 && bin.predicted !== null && bin.observed !== null)
    .map((bin) => ({ predicted: bin.predicted as number, observed: bin.observed as number, answers: bin.answers }));
}

/** Predicted against observed P(correct) in ten bins: on the diagonal, predictions mean what they say. */
export function CalibrationCard({ calibration, baseline }: { calibration?: CalibrationBin[]; baseline?: CalibrationBin[] }) {
  const fitted = points(calibration);
  const defaults = points(baseline);
  return (
    <Card data-testid="calibration-card">
      <CardHeader>
        <CardTitle as="h3">Calibration</CardTitle>
        <CardDescription>Share of held-out answers that were right, against the predicted chance, in ten bins.</CardDescription>
      </CardHeader>
      <CardContent>
        {fitted.length === 0 ? (
          <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">No held-out answers to draw.</p>
        ) : (
          <>
            <div className="h-64" role="img" aria-label="Calibration: observed against predicted probability of a right answer, fitted and default parameters">
              <ResponsiveContainer width="100%" height="100%">
                <LineChart margin={{ top: 5, right: 12, bottom: 5, left: -16 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
                  <XAxis
                    dataKey="predicted"
                    type="number"
                    domain={[0, 1]}
                    ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
                    tickFormatter={(value: number) => formatPercent(value)}
                    tick={{ fontSize: 12, fill: "var(--muted-foreground)" }}
                  />
                  <YAxis
                    type="number"
                    domain={[0, 1]}
                    ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
                    tickFormatter={(value: number) => formatPercent(value)}
                    tick={{ fontSize: 12, fill: "var(--muted-foreground)" }}
                  />
                  <ReferenceLine
                    segment={[
                      { x: 0, y: 0 },
                      { x: 1, y: 1 },
                    ]}
                    stroke="var(--muted-foreground)"
                    strokeDasharray="4 4"
                  />
                  <Tooltip
                    labelFormatter={(value) => `Predicted ${formatPercent(Number(value), 1)}`}
                    formatter={(value, name) => [formatPercent(Number(value), 1), name]}
                    contentStyle={{ background: "var(--popover)", border: "1px solid var(--border)", borderRadius: 8 }}
                  />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Line data={fitted} dataKey="observed" name="Fitted" stroke="var(--chart-1)" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
                  <Line
                    data={defaults}
                    dataKey="observed"
                    name="Defaults"
                    stroke="var(--chart-4)"
                    strokeWidth={2}
                    strokeDasharray="4 4"
                    dot={{ r: 2 }}
                    isAnimationActive={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            </div>
            <table className="sr-only">
              <caption>Calibration bins of the fitted parameters</caption>
              <thead>
                <tr>
                  <th scope="col">Predicted</th>
                  <th scope="col">Observed</th>
                  <th scope="col">Answers</th>
                </tr>
              </thead>
              <tbody>
                {fitted.map((point) => (
                  <tr key={point.predicted}>
                    <td>{formatPercent(point.predicted, 1)}</td>
                    <td>{formatPercent(point.observed, 1)}</td>
                    <td>{point.answers}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </CardContent>
    </Card>
  );
}
