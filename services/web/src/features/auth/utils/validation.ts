// Client-side checks that mirror the server's rules (the server's answer still wins).

export type SignUpField = "username" | "email" | "password";

export function validateSignUp(values: Record<SignUpField, string>): Partial<Record<SignUpField, string>> {
  const errors: Partial<Record<SignUpField, string>> = {};
  const username = values.username.trim();
  if (username.length < 3 || username.length > 80) errors.username = "Use 3 to 80 characters.";
  else if (!/^[A-Za-z0-9_.-]+$/.test(username)) errors.username = "Use only letters, digits, '.', '_' and '-'.";
  const email = values.email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = "Enter a valid email address.";
  else if (email.length > 120) errors.email = "Use at most 120 characters.";
  if (values.password.length < 8) errors.password = "Use at least 8 characters.";
  return errors;
}
