import "./index.css";

import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";

import { App } from "@/app/App";
import { Toaster } from "@/components/ui/toaster";
import { AuthProvider } from "@/features/auth/components/AuthProvider";
import { tokenStore, UNAUTHORIZED_NOTICE } from "@/features/auth/utils/token-store";
import { configureApiClient } from "@/lib/api/client";
import { createQueryClient } from "@/lib/query-client";

tokenStore.load();
configureApiClient({
  getToken: () => tokenStore.token,
  // An expired or revoked token: back to sign in, with a message.
  onUnauthorized: () => tokenStore.expire(UNAUTHORIZED_NOTICE),
});

const queryClient = createQueryClient();
const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AuthProvider>
          <App />
          <Toaster />
        </AuthProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
