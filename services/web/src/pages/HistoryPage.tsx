import { BookOpen, ListTodo } from "lucide-react";

import { PageHeader } from "@/components/common/PageHeader";
import { ContentHistory } from "@/components/history/ContentHistory";
import { JobHistory } from "@/components/history/JobHistory";
import { RequireLearner } from "@/components/learners/RequireLearner";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { formatNiche } from "@/lib/format";
import { useDocumentTitle } from "@/hooks/use-document-title";

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
