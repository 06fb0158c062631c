import { afterEach, describe, expect, it, vi } from "vitest";

import { getMe, register, signIn } from "@/features/auth/api/auth";
import { getJob, listJobs } from "@/features/jobs/api/jobs";
import { createLearner, deleteLearner, listLearners } from "@/features/learners/api/learners";
import { ApiMock, problem } from "@/test/api-mock";

import { ApiError, configureApiClient, parseRetryAfter, queryString } from "./client";

const learnerInput = { target_niche: "data", experience_level: "beginner", preferred_learning_style: "visual" } as const;

describe("api client", () => {
  afterEach(() => configureApiClient({ getToken: () => null, onUnauthorized: () => undefined }));

  it("sends the bearer token and JSON, and returns the body", async () => {
    const mock = new ApiMock().on("POST /api/learners", { status: 201, body: { id: 3 } }).install();
    configureApiClient({ getToken: () => "tok" });
    const learner = await createLearner(learnerInput);
    expect(learner).toEqual({ id: 3 });
    const [sent] = mock.calls("POST /api/learners");
    expect(sent?.headers.get("authorization")).toBe("Bearer tok");
    expect(sent?.headers.get("content-type")).toBe("application/json");
    expect(sent?.headers.get("accept")).toBe("application/json, application/problem+json");
    expect(sent?.body).toEqual(learnerInput);
  });

  it("turns problem details into an ApiError with field errors", async () => {
    new ApiMock()
      .on(
        "POST /api/auth/register",
        problem(422, "The request is not valid: username: too short.", {
          title: "Validation failed",
          errors: [{ loc: ["body", "username"], msg: "String should have at least 3 characters", type: "string_too_short" }],
        }),
      )
      .install();
    const error = await register({ username: "a", email: "a@example.com", password: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(422);
    expect(apiError.title).toBe("Validation failed");
    expect(apiError.errors[0]?.loc).toEqual(["body", "username"]);
  });

  it("keeps the conflicting field of a 409", async () => {
    new ApiMock().on("POST /api/auth/register", problem(409, "That username is taken.", { field: "username" })).install();
    const error = (await register({ username: "ada", email: "a@example.com", password: "x" }).catch((e: unknown) => e)) as ApiError;
    expect(error.field).toBe("username");
    expect(error.detail).toBe("That username is taken.");
  });

  it("reports a 401 on an authenticated request, not on sign-in", async () => {
    const onUnauthorized = vi.fn();
    configureApiClient({ getToken: () => "expired", onUnauthorized });
    const mock = new ApiMock()
      .on("GET /api/users/me", problem(401, "The access token is not valid."))
      .on("POST /api/auth/token", problem(401, "Wrong username or password."))
      .install();
    await expect(getMe()).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(signIn("a", "b")).rejects.toMatchObject({ status: 401, detail: "Wrong username or password." });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(mock.calls("POST /api/auth/token")[0]?.headers.has("authorization")).toBe(false);
  });

  it("sends forms url-encoded", async () => {
    const mock = new ApiMock().on("POST /api/auth/token", { body: { access_token: "t", token_type: "bearer", expires_in: 60 } }).install();
    await signIn("ada", "pw");
    const [sent] = mock.calls("POST /api/auth/token");
    expect(sent?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(sent?.body).toEqual({ username: "ada", password: "pw" });
  });

  it("answers a sensible error for a body that is not problem details", async () => {
    vi.stubGlobal("fetch", vi.fn(() => Promise.resolve(new Response("<html>bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } }))));
    await expect(listLearners()).rejects.toMatchObject({ status: 502, title: "Bad gateway" });
  });

  it("reports a network failure as status 0", async () => {
    vi.stubGlobal("fetch", vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(listLearners()).rejects.toMatchObject({ status: 0, title: "Network error" });
  });

  it("lets an aborted request fail as an abort, not as an ApiError", async () => {
    vi.stubGlobal("fetch", vi.fn(() => Promise.reject(new DOMException("The operation was aborted.", "AbortError"))));
    await expect(listLearners()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("returns headers with the data, and nothing for 204", async () => {
    new ApiMock()
      .on("GET /api/jobs/1", { body: { id: "1" }, headers: { "retry-after": "2" } })
      .on("DELETE /api/learners/1", { status: 204 })
      .install();
    const poll = await getJob("1");
    expect(poll.retryAfter).toBe(2);
    expect(poll.job).toEqual({ id: "1" });
    await expect(deleteLearner(1)).resolves.toBeUndefined();
  });

  it("builds query strings without empty values", async () => {
    expect(queryString({ learner_id: 3, status: undefined, kind: null, cursor: "" })).toBe("learner_id=3");
    const mock = new ApiMock().on("GET /api/jobs", { body: { items: [], next_cursor: null } }).install();
    await listJobs({ learner_id: 3, status: undefined, cursor: null });
    expect(mock.calls("GET /api/jobs")[0]?.search.toString()).toBe("learner_id=3");
  });

  it("parses Retry-After in seconds or as a date", () => {
    expect(parseRetryAfter("2")).toBe(2);
    expect(parseRetryAfter(null)).toBeNull();
    const now = Date.parse("2026-11-28T10:00:00Z");
    expect(parseRetryAfter("Sat, 28 Nov 2026 10:00:30 GMT", now)).toBe(30);
  });
});
