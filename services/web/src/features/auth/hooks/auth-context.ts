import { createContext, useContext } from "react";

import type { User } from "@/lib/api/types";

export interface AuthContextValue {
  token: string | null;
  /** The signed-in user (undefined while it loads). */
  user: User | undefined;
  userError: unknown;
  isAdmin: boolean;
  /** Why the user was signed out (expiry, 401), for the sign-in page. */
  notice: string | null;
  clearNotice: () => void;
  signIn: (username: string, password: string) => Promise<void>;
  /** Forget the token in this tab only (e.g. it expired). */
  signOut: (notice?: string) => void;
  /** Sign out: the server refuses this token from now on, then the tab forgets it. */
  logOut: () => Promise<void>;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth must be used inside <AuthProvider>");
  return value;
}
