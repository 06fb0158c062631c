// Problem details → messages next to the fields they concern.
import { isApiError } from "@/lib/api/client";

export interface FormErrors<F extends string = string> {
  /** Messages per form field. */
  fields: Partial<Record<F, string>>;
  /** A message for the whole form (an error no field owns), or null. */
  form: string | null;
}

const LOCATIONS = new Set(["body", "query", "path", "header", "form"]);

/** Make pydantic's messages read like UI copy. */
export function humanizeMessage(msg: string, type?: string | null): string {
  let text = msg.replace(/^Value error, /, "").replace(/^Assertion failed, /, "");
  if (type === "missing" || text === "Field required") return "This field is required.";
  text = text
    .replace(/^String should have at least (\d+) characters?$/, (_m, n: string) =>
      n === "1" ? "This field is required." : `Use at least ${n} characters.`,
    )
    .replace(/^String should have at most (\d+) characters?$/, "Use at most $1 characters.")
    .replace(/^String should match pattern .*$/, "Use only letters, digits, '.', '_' and '-'.")
    .replace(/^value is not a valid email address: /, "");
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The form field an error location points at: ["body", "concept"] → "concept". */
export function fieldOf(loc: readonly (string | number)[]): string | null {
  const parts = [...loc];
  if (typeof parts[0] === "string" && LOCATIONS.has(parts[0])) parts.shift();
  const first = parts[0];
  return typeof first === "string" ? first : null;
}

/**
 * Split an error into field messages and a form message. `fields` lists the form's fields;
 * errors for other locations (or for the body as a whole) go to the form message — unless their
 * text names one of the fields, as "session_end must not be before session_start" does.
 */
export function toFormErrors<F extends string>(error: unknown, fields: readonly F[]): FormErrors<F> {
  const result: FormErrors<F> = { fields: {}, form: null };
  if (!isApiError(error)) {
    result.form = error instanceof Error ? error.message : "Something went wrong. Try again.";
    return result;
  }
  const known = new Set<string>(fields);
  const isField = (name: string | null): name is F => name !== null && known.has(name);
  let unmatched = false;
  for (const item of error.errors) {
    let field = fieldOf(item.loc);
    if (!isField(field)) {
      // The field named first in the message: "session_end must not be before session_start".
      let first = Infinity;
      field = null;
      for (const name of fields) {
        const at = item.msg.indexOf(name);
        if (at >= 0 && at < first) {
          first = at;
          field = name;
        }
      }
    }
    if (isField(field)) {
      result.fields[field] ??= humanizeMessage(item.msg, item.type);
    } else {
      unmatched = true;
    }
  }
  // A conflict (409: name taken) or a refused confirmation (403: wrong password) names its field.
  if ((error.status === 409 || error.status === 403) && isField(error.field ?? null)) {
    result.fields[error.field as F] = error.detail;
  } else if (error.errors.length === 0 || unmatched) {
    result.form = error.detail;
  }
  return result;
}

/** One line for a toast or an inline alert. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) return error.detail || error.title;
  if (error instanceof Error) return error.message;
  return "Something went wrong. Try again.";
}
