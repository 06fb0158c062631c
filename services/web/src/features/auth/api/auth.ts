// Signing up, in and out.
import { body, http, publicHttp } from "@/lib/api/client";
import type { RegisterInput } from "@/lib/api/types";

export const register = (input: RegisterInput) => body(publicHttp.POST("/api/auth/register", { body: input }));

export const signIn = (username: string, password: string) =>
  body(
    publicHttp.POST("/api/auth/token", {
      body: { username, password },
      bodySerializer: (form) => new URLSearchParams(form as Record<string, string>),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
  );

export const getMe = (signal?: AbortSignal) => body(http.GET("/api/users/me", { signal }));

/** This token is refused from now on. */
export const logOut = () => body(http.POST("/api/auth/logout"));
