import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";

import { PageSkeleton } from "@/components/common/PageSkeleton";
import { AppShell } from "@/components/layout/AppShell";
import { PublicOnly, RequireAuth } from "@/components/layout/RequireAuth";
import { JobTrackerProvider } from "@/lib/jobs/JobTrackerProvider";
import { LearnerProvider } from "@/lib/learner/LearnerProvider";
import { SessionTimerProvider } from "@/lib/timer/SessionTimerProvider";
import LearnPage from "@/pages/LearnPage";
import NotFoundPage from "@/pages/NotFoundPage";
import SignInPage from "@/pages/SignInPage";
import SignUpPage from "@/pages/SignUpPage";

// Pages with charts or markdown load on demand (their libraries are the big part of the app).
const ProgressPage = lazy(() => import("@/pages/ProgressPage"));
const AdminPage = lazy(() => import("@/pages/AdminPage"));
const ContentPage = lazy(() => import("@/pages/ContentPage"));
const HistoryPage = lazy(() => import("@/pages/HistoryPage"));
const SessionsPage = lazy(() => import("@/pages/SessionsPage"));
const ProfilesPage = lazy(() => import("@/pages/ProfilesPage"));
const AccountPage = lazy(() => import("@/pages/AccountPage"));

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
