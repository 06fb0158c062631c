import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/api/client";

import { humanizeMessage, toFormErrors } from "./errors";

const validation = (errors: { loc: (string | number)[]; msg: string; type?: string }[]) =>
  new ApiError({ title: "Validation failed", status: 422, detail: "The request is not valid.", errors });

describe("toFormErrors", () => {
  it("puts each validation error next to its field", () => {
    const result = toFormErrors(validation([{ loc: ["body", "concept"], msg: "String should have at least 1 character", type: "string_too_short" }]), [
      "concept",
      "content_type",
    ] as const);
    expect(result.fields.concept).toBe("This field is required.");
    expect(result.form).toBeNull();
  });

  it("maps a body-level error to the field its message names first", () => {
    const result = toFormErrors(validation([{ loc: ["body"], msg: "Value error, session_end must not be before session_start" }]), [
      "session_start",
      "session_end",
    ] as const);
    expect(result.fields.session_end).toBe("Session_end must not be before session_start.");
    expect(result.fields.session_start).toBeUndefined();
  });

  it("keeps errors no field owns for the form", () => {
    const result = toFormErrors(validation([{ loc: ["body", "surprise"], msg: "Extra inputs are not permitted" }]), ["concept"] as const);
    expect(result.form).toBe("The request is not valid.");
  });

  it("uses the field of a 409", () => {
    const conflict = new ApiError({ title: "Conflict", status: 409, detail: "That email is already registered.", field: "email" });
    expect(toFormErrors(conflict, ["username", "email"] as const)).toEqual({ fields: { email: "That email is already registered." }, form: null });
  });

  it("puts a wrong password (403 naming its field) next to that field", () => {
    const refused = new ApiError({
      title: "Forbidden",
      status: 403,
      detail: "The current password is wrong. Nothing was changed.",
      field: "current_password",
    });
    expect(toFormErrors(refused, ["current_password", "new_password"] as const)).toEqual({
      fields: { current_password: "The current password is wrong. Nothing was changed." },
      form: null,
    });
  });

  it("shows any other error as a form message", () => {
    expect(toFormErrors(new ApiError({ title: "Unauthorized", status: 401, detail: "Wrong username or password." }), ["username"] as const).form).toBe(
      "Wrong username or password.",
    );
    expect(toFormErrors(new Error("boom"), ["x"] as const).form).toBe("boom");
  });
});

describe("humanizeMessage", () => {
  it("rewrites pydantic's wording", () => {
    expect(humanizeMessage("String should have at least 8 characters")).toBe("Use at least 8 characters.");
    expect(humanizeMessage("Field required", "missing")).toBe("This field is required.");
    expect(humanizeMessage("value is not a valid email address: An email address must have an @-sign.")).toBe(
      "An email address must have an @-sign.",
    );
  });
});
