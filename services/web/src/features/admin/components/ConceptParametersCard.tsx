import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { LearnerModelConcept } from "@/lib/api/types";

const COLUMNS: [keyof LearnerModelConcept, string][] = [
  ["p_init", "Known at start"],
  ["p_transit", "Learn"],
  ["p_forget", "Forget"],
  ["guess", "Guess"],
  ["slip", "Slip"],
];

/** The fitted BKT parameters per concept, most answered first. */
export function ConceptParametersCard({ concepts }: { concepts: LearnerModelConcept[] }) {
  const rows = [...concepts].sort((a, b) => b.responses - a.responses || a.concept.localeCompare(b.concept));
  return (
    <Card data-testid="concept-parameters-card" className="lg:col-span-2">
      <CardHeader>
        <CardTitle as="h3">Parameters per concept</CardTitle>
        <CardDescription>
          Probabilities fitted from real answers. Concepts not listed answered too rarely and use the defaults (known at start 0.25, learn 0.15, forget 0,
          guess 0.2, slip 0.1).
        </CardDescription>
      </CardHeader>
      <CardContent>
        {rows.length === 0 ? (
          <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">No concept had enough answers to fit yet.</p>
        ) : (
          // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrollable region must be reachable by keyboard
          <div className="max-h-96 overflow-auto rounded-lg border" tabIndex={0} role="region" aria-label="Parameters per concept">
            <table className="w-full min-w-[36rem] text-sm">
              <thead className="sticky top-0 bg-card">
                <tr className="text-left text-xs text-muted-foreground">
                  <th scope="col" className="px-3 py-2 font-medium">
                    Concept
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Answers
                  </th>
                  {COLUMNS.map(([key, label]) => (
                    <th key={key} scope="col" className="px-3 py-2 text-right font-medium">
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.concept} className="border-t">
                    <th scope="row" className="max-w-48 truncate px-3 py-1.5 text-left font-medium" title={row.concept}>
                      {row.concept}
                    </th>
                    <td className="px-3 py-1.5 text-right tabular-nums">{row.responses.toLocaleString()}</td>
                    {COLUMNS.map(([key]) => (
                      <td key={key} className="px-3 py-1.5 text-right tabular-nums">
                        {(row[key] as number).toFixed(3)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
