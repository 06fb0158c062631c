import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useSyncExternalStore, type ReactNode } from "react";

import { getMe, logOut as revokeToken, signIn as requestToken } from "@/features/auth/api/auth";
import { AuthContext, type AuthContextValue } from "@/features/auth/hooks/auth-context";
import { tokenStore as defaultStore, type TokenStore } from "@/features/auth/utils/token-store";
import { queryKeys } from "@/lib/query-keys";

export function AuthProvider({ children, store = defaultStore }: { children: ReactNode; store?: TokenStore }) {
  const snapshot = useSyncExternalStore(store.subscribe, store.get, store.get);
  const queryClient = useQueryClient();
  const token = snapshot.token;

  const me = useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => getMe(signal),
    enabled: token !== null,
    staleTime: 5 * 60_000,
  });

  // Signed out: forget everything that was read with the old token.
  useEffect(() => {
    if (token === null) queryClient.clear();
  }, [token, queryClient]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const answer = await requestToken(username, password);
      queryClient.clear();
      store.set(answer.access_token, answer.expires_in);
    },
    [store, queryClient],
  );

  const signOut = useCallback((notice?: string) => store.expire(notice ?? null), [store]);
  const logOut = useCallback(async () => {
    try {
      await revokeToken();
    } catch {
      /* already refused or unreachable: forgetting it here is all that is left to do */
    } finally {
      store.expire(null);
    }
  }, [store]);
  const clearNotice = useCallback(() => store.clearNotice(), [store]);

  const value = useMemo<AuthContextValue>(
    () => ({
      token,
      user: token ? me.data : undefined,
      userError: me.error,
      isAdmin: me.data?.role === "admin",
      notice: snapshot.notice,
      clearNotice,
      signIn,
      signOut,
      logOut,
    }),
    [token, me.data, me.error, snapshot.notice, clearNotice, signIn, signOut, logOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
