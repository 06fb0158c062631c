import { describe, expect, it } from "vitest";

import { job } from "@/test/fixtures";

import { listPollInterval, pollInterval } from "./use-jobs";

describe("pollInterval", () => {
  it("follows Retry-After within bounds and stops when the job is finished", () => {
    expect(pollInterval({ job: job({ status: "queued" }), retryAfter: 2 })).toBe(2000);
    expect(pollInterval({ job: job({ status: "running" }), retryAfter: 0 })).toBe(1000);
    expect(pollInterval({ job: job({ status: "running" }), retryAfter: 120 })).toBe(10_000);
    expect(pollInterval({ job: job({ status: "running" }), retryAfter: null })).toBe(1500);
    expect(pollInterval({ job: job({ status: "succeeded" }), retryAfter: 2 })).toBe(false);
    expect(pollInterval(undefined)).toBe(1500);
  });
});

describe("listPollInterval", () => {
  it("refreshes a job list only while one of its jobs is unfinished", () => {
    const pages = (...statuses: ReturnType<typeof job>["status"][]) => ({
      pages: [{ items: statuses.map((status) => job({ status })), next_cursor: null }],
      pageParams: [null],
    });
    expect(listPollInterval(pages("succeeded", "queued"))).toBe(5000);
    expect(listPollInterval(pages("running"))).toBe(5000);
    expect(listPollInterval(pages("succeeded", "failed", "canceled"))).toBe(false);
    expect(listPollInterval(undefined)).toBe(false);
  });
});
