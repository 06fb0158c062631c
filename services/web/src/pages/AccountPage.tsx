import { ChangePasswordCard } from "@/components/account/ChangePasswordCard";
import { DeleteAccountCard } from "@/components/account/DeleteAccountCard";
import { ExportDataCard } from "@/components/account/ExportDataCard";
import { SignOutCard } from "@/components/account/SignOutCard";
import { ErrorState } from "@/components/common/ErrorState";
import { PageHeader } from "@/components/common/PageHeader";
import { PageSkeleton } from "@/components/common/PageSkeleton";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useAuth } from "@/lib/auth/auth-context";
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
