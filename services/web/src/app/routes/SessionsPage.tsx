import { CalendarPlus } from "lucide-react";
import { useState } from "react";

import { PageHeader } from "@/components/common/PageHeader";
import { Button } from "@/components/ui/button";
import { SessionDialog } from "@/features/activity/components/SessionDialog";
import { SessionList } from "@/features/activity/components/SessionList";
import { TimerCard } from "@/features/activity/components/TimerCard";
import { emptyDraft, type SessionDraft } from "@/features/activity/utils/sessions";
import { RequireLearner } from "@/features/learners/components/RequireLearner";
import { useDocumentTitle } from "@/hooks/use-document-title";
import type { Learner } from "@/lib/api/types";

function SessionsView({ learner }: { learner: Learner }) {
  const [draft, setDraft] = useState<SessionDraft | null>(null);
  return (
    <>
      <PageHeader
        title="Study sessions"
        description="Time your study, log what you did, and watch your velocity grow."
        actions={
          <Button variant="outline" onClick={() => setDraft(emptyDraft())}>
            <CalendarPlus aria-hidden="true" /> Log a past session
          </Button>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[22rem_minmax(0,1fr)]">
        <div>
          <TimerCard learner={learner} />
        </div>
        <section aria-labelledby="sessions-heading" className="grid grid-cols-1 content-start gap-3">
          <h2 id="sessions-heading" className="text-lg font-semibold">
            Recent sessions
          </h2>
          <SessionList learnerId={learner.id} />
        </section>
      </div>
      <SessionDialog learnerId={learner.id} draft={draft} onClose={() => setDraft(null)} />
    </>
  );
}

export default function SessionsPage() {
  useDocumentTitle("Study sessions");
  return <RequireLearner>{(learner) => <SessionsView key={learner.id} learner={learner} />}</RequireLearner>;
}
