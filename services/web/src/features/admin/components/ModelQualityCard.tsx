import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { LearnerModel } from "@/lib/api/types";
import { formatDateTime } from "@/lib/format";
import { cn } from "@/lib/utils";

function figure(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toFixed(3);
}

/** How well the fitted parameters predict held-out learners' next answers, against the defaults. */
export function ModelQualityCard({ model }: { model: LearnerModel }) {
  const { evaluation } = model;
  const better = (fitted: number | null | undefined, baseline: number | null | undefined, higherIsBetter: boolean) =>
    fitted !== null && fitted !== undefined && baseline !== null && baseline !== undefined && (higherIsBetter ? fitted > baseline : fitted < baseline);
  const rows: [string, string, string, boolean][] = [
    ["AUC", figure(evaluation.auc), figure(evaluation.baseline_auc), better(evaluation.auc, evaluation.baseline_auc, true)],
    ["Log loss", figure(evaluation.log_loss), figure(evaluation.baseline_log_loss), better(evaluation.log_loss, evaluation.baseline_log_loss, false)],
  ];
  const learners = evaluation.held_out_learners;
  return (
    <Card data-testid="model-quality-card">
      <CardHeader>
        <CardTitle as="h3">Prediction quality</CardTitle>
        <CardDescription>
          Version {model.version}, fitted {formatDateTime(model.fitted_at)} from {model.source}. Next-answer prediction on{" "}
          {evaluation.held_out_answers.toLocaleString()} answers of {learners !== null && learners !== undefined ? `${learners.toLocaleString()} ` : ""}
          learners the fit did not see.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-muted-foreground">
              <th scope="col" className="pb-2 font-medium">
                Measure
              </th>
              <th scope="col" className="pb-2 text-right font-medium">
                Fitted
              </th>
              <th scope="col" className="pb-2 text-right font-medium">
                Defaults
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([measure, fitted, baseline, improved]) => (
              <tr key={measure} className="border-t">
                <th scope="row" className="py-2 text-left font-medium">
                  {measure}
                </th>
                <td className={cn("py-2 text-right text-xl font-semibold tabular-nums", improved && "text-emerald-600 dark:text-emerald-400")}>{fitted}</td>
                <td className="py-2 text-right tabular-nums text-muted-foreground">{baseline}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="mt-3 text-xs text-muted-foreground">
          AUC: 0.5 is guessing, 1 is perfect. {model.concepts.length} concepts have fitted parameters; the others use the defaults.
        </p>
      </CardContent>
    </Card>
  );
}
