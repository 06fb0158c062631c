import { ErrorState } from "@/components/common/ErrorState";
import { PageHeader } from "@/components/common/PageHeader";
import { PageSkeleton } from "@/components/common/PageSkeleton";
import { ChangePasswordCard } from "@/features/account/components/ChangePasswordCard";
import { DeleteAccountCard } from "@/features/account/components/DeleteAccountCard";
import { ExportDataCard } from "@/features/account/components/ExportDataCard";
import { SignOutCard } from "@/features/account/components/SignOutCard";
import { useAuth } from "@/features/auth/hooks/auth-context";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { formatDate } from "@/lib/format";

export default function AccountPage() {
  useDocumentTitle("Account and privacy");
  const { user, userError } = useAuth();
  if (!user) return userError ? <ErrorState error={userError} /> : <PageSkeleton />;
  return (
    <div>
      <PageHeader
        title="Account and privacy"
        description={
          <>
            Signed in as <span className="font-medium text-foreground">{user.username}</span> ({user.email}), member since{" "}
            {formatDate(user.created_at)}.
          </>
        }
      />
      <div className="grid grid-cols-1 gap-6">
        <SignOutCard />
        <ChangePasswordCard username={user.username} />
        <ExportDataCard />
        <DeleteAccountCard username={user.username} />
      </div>
    </div>
  );
}
