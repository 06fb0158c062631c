import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";

import { Toaster } from "@/components/ui/toaster";
import { SessionTimerProvider } from "@/features/activity/components/SessionTimerProvider";
import { AuthProvider } from "@/features/auth/components/AuthProvider";
import { TokenStore, UNAUTHORIZED_NOTICE } from "@/features/auth/utils/token-store";
import { JobTrackerProvider } from "@/features/jobs/components/JobTrackerProvider";
import { LearnerProvider } from "@/features/learners/components/LearnerProvider";
import { configureApiClient } from "@/lib/api/client";

export function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{location.pathname}</div>;
}

interface Options {
  route?: string;
  /** The route pattern the element is mounted at (default: "*"). */
  path?: string;
  signedIn?: boolean;
  /** Extra routes, e.g. the sign-in page to land on. */
  routes?: ReactNode;
}

export function renderApp(element: ReactElement, { route = "/", path = "*", signedIn = true, routes }: Options = {}): RenderResult & {
  store: TokenStore;
  queryClient: QueryClient;
} {
  const store = new TokenStore();
  if (signedIn) store.set("test-token", 3600);
  configureApiClient({
    getToken: () => store.token,
    onUnauthorized: () => store.expire(UNAUTHORIZED_NOTICE),
  });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, refetchInterval: false }, mutations: { retry: false } },
  });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[route]}>
        <AuthProvider store={store}>
          <LearnerProvider>
            <JobTrackerProvider>
              <SessionTimerProvider>
                <Routes>
                  <Route path={path} element={element} />
                  {routes}
                </Routes>
                <LocationProbe />
              </SessionTimerProvider>
            </JobTrackerProvider>
          </LearnerProvider>
          <Toaster />
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, store, queryClient };
}
