import { describe, expect, it } from "vitest";

import { formatClock, formatMinutes, formatNiche, formatPercent, formatRelative, formatUsd, fromLocalInputValue, toLocalInputValue } from "./format";

describe("format", () => {
  it("formats figures for people", () => {
    expect(formatClock(65_000)).toBe("01:05");
    expect(formatClock(3_725_000)).toBe("1:02:05");
    expect(formatMinutes(45)).toBe("45 min");
    expect(formatMinutes(65)).toBe("1 h 5 min");
    expect(formatPercent(0.8)).toBe("80%");
    expect(formatPercent(null)).toBe("—");
    expect(formatUsd(0.00048)).toBe("$0.0005");
    expect(formatUsd(2)).toBe("$2.00");
    expect(formatNiche("tech_career")).toBe("Tech career");
  });

  it("says relative times", () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    expect(formatRelative("2026-11-28T11:59:50Z", now)).toBe("just now");
    expect(formatRelative("2026-11-28T10:00:00Z", now)).toBe("2 hours ago");
    expect(formatRelative("2026-11-29T12:00:00Z", now)).toBe("tomorrow");
  });

  it("round-trips datetime-local values", () => {
    const date = new Date(2026, 10, 28, 9, 30);
    expect(toLocalInputValue(date)).toBe("2026-11-28T09:30");
    expect(fromLocalInputValue("2026-11-28T09:30")).toBe(date.toISOString());
    expect(fromLocalInputValue("")).toBeNull();
  });
});
