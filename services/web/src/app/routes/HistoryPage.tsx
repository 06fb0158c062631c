import { BookOpen, ListTodo } from "lucide-react";

import { PageHeader } from "@/components/common/PageHeader";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { ContentHistory } from "@/features/content/components/ContentHistory";
import { JobHistory } from "@/features/jobs/components/JobHistory";
import { RequireLearner } from "@/features/learners/components/RequireLearner";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { formatNiche } from "@/lib/format";

export default function HistoryPage() {
  useDocumentTitle("History");
  return (
    <RequireLearner>
      {(learner) => (
        <>
          <PageHeader title="History" description={`Everything written for your ${formatNiche(learner.target_niche)} profile.`} />
          <Tabs defaultValue="content">
            <TabsList>
              <TabsTrigger value="content">
                <BookOpen aria-hidden="true" /> Content
              </TabsTrigger>
              <TabsTrigger value="requests">
                <ListTodo aria-hidden="true" /> Requests
              </TabsTrigger>
            </TabsList>
            <TabsContent value="content">
              <ContentHistory key={learner.id} learnerId={learner.id} />
            </TabsContent>
            <TabsContent value="requests">
              <JobHistory key={learner.id} learnerId={learner.id} />
            </TabsContent>
          </Tabs>
        </>
      )}
    </RequireLearner>
  );
}
