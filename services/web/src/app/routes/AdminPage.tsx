import { Activity, CalendarDays, CheckCircle2, ShieldAlert, UserPlus, Users } from "lucide-react";
import { useState } from "react";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { PageHeader } from "@/components/common/PageHeader";
import { PageSkeleton } from "@/components/common/PageSkeleton";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { AiCard } from "@/features/admin/components/AiCard";
import { LearnerModelSection } from "@/features/admin/components/LearnerModelSection";
import { QueueCard } from "@/features/admin/components/QueueCard";
import { SpendCard } from "@/features/admin/components/SpendCard";
import { StatCard } from "@/features/admin/components/StatCard";
import { TopConceptsCard } from "@/features/admin/components/TopConceptsCard";
import { useAdminStats } from "@/features/admin/hooks/use-admin";
import { useAuth } from "@/features/auth/hooks/auth-context";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { isApiError } from "@/lib/api/client";
import { formatPercent } from "@/lib/format";

const WINDOWS = [1, 7, 30, 90, 365];

export default function AdminPage() {
  useDocumentTitle("Operations");
  const { isAdmin } = useAuth();
  const [days, setDays] = useState(30);
  const stats = useAdminStats(days, isAdmin);

  const header = (
    <PageHeader
      title="Operations"
      description="Growth, engagement, AI performance, spend and the learner model."
      actions={
        isAdmin ? (
          <div className="flex items-center gap-2">
            <Label htmlFor="admin-window" className="text-muted-foreground">
              Window
            </Label>
            <Select value={String(days)} onValueChange={(value) => setDays(Number(value))}>
              <SelectTrigger id="admin-window" className="h-9 w-32">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {WINDOWS.map((value) => (
                  <SelectItem key={value} value={String(value)}>
                    {value === 1 ? "1 day" : `${value} days`}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
        ) : null
      }
    />
  );

  if (!isAdmin || (isApiError(stats.error) && stats.error.status === 403)) {
    return (
      <>
        {header}
        <EmptyState icon={ShieldAlert} title="Administrators only" description="This dashboard is for operators. Ask an administrator if you need access." />
      </>
    );
  }
  if (stats.isPending) {
    return (
      <>
        {header}
        <PageSkeleton cards={4} />
      </>
    );
  }
  if (stats.error) {
    return (
      <>
        {header}
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      </>
    );
  }

  const data = stats.data;
  const windowDays = data.window_days;
  return (
    <>
      {header}
      <div className="grid grid-cols-1 gap-4">
        <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
          <StatCard label="Users" value={data.users_total} hint="all time" icon={Users} />
          <StatCard label="New users" value={data.new_users} hint={`last ${windowDays} ${windowDays === 1 ? "day" : "days"}`} icon={UserPlus} />
          <StatCard label="Active today" value={data.active_users_daily} hint="daily active users" icon={Activity} />
          <StatCard label="Active this month" value={data.active_users_monthly} hint="monthly active users" icon={Users} />
          <StatCard label="Sessions" value={data.sessions} hint={`last ${windowDays} ${windowDays === 1 ? "day" : "days"}`} icon={CalendarDays} />
          <StatCard label="Completion" value={formatPercent(data.avg_completion_rate)} hint="average per session" icon={CheckCircle2} />
        </div>
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
          <AiCard content={data.content} />
          <SpendCard content={data.content} windowDays={windowDays} />
          <TopConceptsCard concepts={data.top_concepts} />
          <QueueCard jobs={data.jobs} />
        </div>
        <LearnerModelSection enabled={isAdmin} />
      </div>
    </>
  );
}
