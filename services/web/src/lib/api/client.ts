// The one place that talks HTTP: openapi-fetch clients typed by the generated contract
// (schema.d.ts). They send the bearer token and turn every error answer into an `ApiError` built
// from the gateway's RFC 9457 problem details; callers get the body of a successful answer.
import createClient, { type Middleware } from "openapi-fetch";

import { isRecord } from "@/lib/utils";

import type { paths } from "./schema";
import type { Problem, ProblemError } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly problem: Problem;
  /** Seconds from a `Retry-After` header (429, 503), when sent. */
  readonly retryAfter: number | null;

  constructor(problem: Problem, retryAfter: number | null = null) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  get errors(): ProblemError[] {
    return this.problem.errors ?? [];
  }

  /** `field` of a 409 (duplicate username/email): the field the conflict concerns. */
  get field(): string | undefined {
    return this.problem.field;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

interface ClientConfig {
  getToken: () => string | null;
  /** Called when an authenticated request answers 401 (expired or revoked token). */
  onUnauthorized: (error: ApiError) => void;
}

const config: ClientConfig = {
  getToken: () => null,
  onUnauthorized: () => undefined,
};

export function configureApiClient(update: Partial<ClientConfig>): void {
  Object.assign(config, update);
}

/** A query string without the empty values (undefined, null, ""). */
export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  return params.toString();
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, (date - now) / 1000);
}

const STATUS_TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Too large",
  422: "Validation failed",
  429: "Too many requests",
  500: "Server error",
  502: "Bad gateway",
  503: "Service unavailable",
  504: "Gateway timeout",
};

function fallbackDetail(status: number): string {
  if (status === 429) return "Too many requests. Wait a moment and try again.";
  if (status >= 500) return "The server could not answer right now. Try again in a moment.";
  return "The request could not be completed.";
}

/** Read a problem-details body; anything else becomes a problem with a sensible message. */
export async function problemFromResponse(response: Response): Promise<Problem> {
  const status = response.status;
  const fallback: Problem = {
    title: STATUS_TITLES[status] ?? `HTTP ${status}`,
    status,
    detail: fallbackDetail(status),
  };
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) return fallback;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return fallback;
  }
  if (!isRecord(body)) return fallback;
  const problem: Problem = {
    type: typeof body.type === "string" ? body.type : undefined,
    title: typeof body.title === "string" ? body.title : fallback.title,
    status: typeof body.status === "number" ? body.status : status,
    detail: typeof body.detail === "string" ? body.detail : fallback.detail,
  };
  if (Array.isArray(body.errors)) {
    problem.errors = body.errors.filter(isRecord).map((item) => ({
      loc: Array.isArray(item.loc)
        ? item.loc.filter((part): part is string | number => typeof part === "string" || typeof part === "number")
        : [],
      msg: typeof item.msg === "string" ? item.msg : "Invalid value",
      type: typeof item.type === "string" ? item.type : null,
    }));
  }
  if (typeof body.field === "string") problem.field = body.field;
  return problem;
}

/** Accept problem details; with `auth`, send the bearer token and report a refused one. Every
 * error answer is thrown as an `ApiError`, a failed connection as one with status 0. */
function gatewayMiddleware(auth: boolean): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set("Accept", "application/json, application/problem+json");
      const token = auth ? config.getToken() : null;
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
    async onResponse({ request, response }) {
      if (response.ok) return undefined;
      const error = new ApiError(await problemFromResponse(response), parseRetryAfter(response.headers.get("retry-after")));
      if (response.status === 401 && auth && request.headers.has("Authorization")) config.onUnauthorized(error);
      throw error;
    },
    onError({ error }) {
      if (error instanceof DOMException && error.name === "AbortError") return undefined;
      return new ApiError({
        title: "Network error",
        status: 0,
        detail: "Could not reach the server. Check your connection and try again.",
      });
    },
  };
}

function gatewayClient(auth: boolean) {
  const client = createClient<paths>({
    // Same origin as the page (the gateway or nginx serves both).
    baseUrl: globalThis.location.origin,
    // Looked up at each call, so that tests may stub it.
    fetch: (request) => globalThis.fetch(request),
    querySerializer: (query) => queryString(query as Query),
  });
  client.use(gatewayMiddleware(auth));
  return client;
}

/** Calls with the bearer token. */
export const http = gatewayClient(true);
/** Calls that need no token (sign up, sign in). */
export const publicHttp = gatewayClient(false);

/** The body of a successful answer (an error answer was thrown as an `ApiError`). */
export async function body<T>(sending: Promise<{ data?: T; response: Response }>): Promise<T> {
  return (await sending).data as T;
}
