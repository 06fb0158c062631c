import { describe, expect, it } from "vitest";

import { deletionConfirmed, validatePasswordChange } from "./account";

describe("validatePasswordChange", () => {
  const valid = { current_password: "old-password-1", new_password: "new-password-2", confirm_password: "new-password-2" };

  it("accepts a new password of 8+ characters typed twice", () => {
    expect(validatePasswordChange(valid)).toEqual({});
  });

  it("asks for the current password", () => {
    expect(validatePasswordChange({ ...valid, current_password: "" })).toEqual({
      current_password: "Enter your current password.",
    });
  });

  it("refuses short, blank and unchanged passwords", () => {
    expect(validatePasswordChange({ ...valid, new_password: "short", confirm_password: "short" }).new_password).toBe(
      "Use at least 8 characters.",
    );
    expect(validatePasswordChange({ ...valid, new_password: "        ", confirm_password: "        " }).new_password).toBe(
      "The password must not be only spaces.",
    );
    expect(
      validatePasswordChange({ ...valid, new_password: valid.current_password, confirm_password: valid.current_password })
        .new_password,
    ).toBe("Choose a password different from the current one.");
  });

  it("needs the confirmation to match", () => {
    expect(validatePasswordChange({ ...valid, confirm_password: "new-password-3" })).toEqual({
      confirm_password: "The two new passwords differ.",
    });
  });
});

describe("deletionConfirmed", () => {
  it("needs the exact username", () => {
    expect(deletionConfirmed("ada", "ada")).toBe(true);
    expect(deletionConfirmed(" ada ", "ada")).toBe(true);
    expect(deletionConfirmed("Ada", "ada")).toBe(false);
    expect(deletionConfirmed("", "ada")).toBe(false);
    expect(deletionConfirmed("", undefined)).toBe(false);
  });
});
