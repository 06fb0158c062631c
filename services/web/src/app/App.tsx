import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";

import { AppShell } from "@/app/layout/AppShell";
import LearnPage from "@/app/routes/LearnPage";
import NotFoundPage from "@/app/routes/NotFoundPage";
import SignInPage from "@/app/routes/SignInPage";
import SignUpPage from "@/app/routes/SignUpPage";
import { PageSkeleton } from "@/components/common/PageSkeleton";
import { SessionTimerProvider } from "@/features/activity/components/SessionTimerProvider";
import { PublicOnly, RequireAuth } from "@/features/auth/components/RequireAuth";
import { JobTrackerProvider } from "@/features/jobs/components/JobTrackerProvider";
import { LearnerProvider } from "@/features/learners/components/LearnerProvider";

// Pages with charts or markdown load on demand (their libraries are the big part of the app).
const ProgressPage = lazy(() => import("@/app/routes/ProgressPage"));
const AdminPage = lazy(() => import("@/app/routes/AdminPage"));
const ContentPage = lazy(() => import("@/app/routes/ContentPage"));
const HistoryPage = lazy(() => import("@/app/routes/HistoryPage"));
const SessionsPage = lazy(() => import("@/app/routes/SessionsPage"));
const ProfilesPage = lazy(() => import("@/app/routes/ProfilesPage"));
const AccountPage = lazy(() => import("@/app/routes/AccountPage"));

function SignedInApp() {
  return (
    <LearnerProvider>
      <JobTrackerProvider>
        <SessionTimerProvider>
          <AppShell />
        </SessionTimerProvider>
      </JobTrackerProvider>
    </LearnerProvider>
  );
}

export function App() {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <Routes>
        <Route element={<PublicOnly />}>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/sign-up" element={<SignUpPage />} />
        </Route>
        <Route element={<RequireAuth />}>
          <Route element={<SignedInApp />}>
            <Route index element={<Navigate to="/learn" replace />} />
            <Route path="/learn" element={<LearnPage />} />
            <Route path="/content/:contentId" element={<ContentPage />} />
            <Route path="/progress" element={<ProgressPage />} />
            <Route path="/history" element={<HistoryPage />} />
            <Route path="/sessions" element={<SessionsPage />} />
            <Route path="/profiles" element={<ProfilesPage />} />
            <Route path="/account" element={<AccountPage />} />
            <Route path="/admin" element={<AdminPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Route>
      </Routes>
    </Suspense>
  );
}
