import { Navigate, Outlet, useLocation } from "react-router";

import { ErrorState } from "@/components/common/ErrorState";
import { Skeleton } from "@/components/ui/skeleton";
import { useAuth } from "@/features/auth/hooks/auth-context";

/** Signed-in routes: without a token, go to sign in and come back here afterwards. */
export function RequireAuth() {
  const { token, user, userError } = useAuth();
  const location = useLocation();
  if (!token) {
    return <Navigate to="/sign-in" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  if (!user) {
    if (userError) {
      return (
        <div className="mx-auto max-w-md p-6">
          <ErrorState error={userError} title="Could not load your account" onRetry={() => window.location.reload()} />
        </div>
      );
    }
    return (
      <div className="mx-auto grid grid-cols-1 max-w-6xl gap-4 p-6" role="status" aria-label="Loading your account">
        <Skeleton className="h-10 w-full" />
        <Skeleton className="h-48 w-full" />
      </div>
    );
  }
  return <Outlet />;
}

/** Sign-in and sign-up: a signed-in user goes straight to the app. */
export function PublicOnly() {
  const { token } = useAuth();
  const location = useLocation();
  const state: unknown = location.state;
  const from =
    typeof state === "object" && state !== null && "from" in state && typeof state.from === "string" ? state.from : "/learn";
  if (token) return <Navigate to={from} replace />;
  return <Outlet />;
}
