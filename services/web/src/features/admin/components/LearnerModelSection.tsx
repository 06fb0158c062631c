import { BrainCircuit } from "lucide-react";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { Skeleton } from "@/components/ui/skeleton";
import { useLearnerModel } from "@/features/admin/hooks/use-admin";
import { isApiError } from "@/lib/api/client";

import { CalibrationCard } from "./CalibrationCard";
import { ConceptParametersCard } from "./ConceptParametersCard";
import { ModelQualityCard } from "./ModelQualityCard";

/** The learner model's fitted parameters and their quality on held-out learners. */
export function LearnerModelSection({ enabled }: { enabled: boolean }) {
  const model = useLearnerModel(enabled);
  let body;
  if (model.isPending) {
    body = <Skeleton className="h-64" />;
  } else if (isApiError(model.error) && model.error.status === 404) {
    body = (
      <EmptyState
        icon={BrainCircuit}
        title="No fitted parameters yet"
        description={
          <>
            Every concept uses the default parameters. Run <code>ailp learner-model fit</code> (or wait for the daily fit) to learn them from your learners’
            answers.
          </>
        }
      />
    );
  } else if (model.error) {
    body = <ErrorState error={model.error} title="Could not load the learner model" onRetry={() => void model.refetch()} />;
  } else {
    const data = model.data;
    body = (
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <ModelQualityCard model={data} />
        <CalibrationCard calibration={data.evaluation.calibration} baseline={data.evaluation.baseline_calibration} />
        <ConceptParametersCard concepts={data.concepts} />
      </div>
    );
  }
  return (
    <section aria-labelledby="learner-model-heading" className="grid grid-cols-1 gap-3" data-testid="learner-model-section">
      <h2 id="learner-model-heading" className="text-lg font-semibold tracking-tight">
        Learner model
      </h2>
      {body}
    </section>
  );
}
