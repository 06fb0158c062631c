import { Loader2 } from "lucide-react";
import { useRef, useState, type SubmitEvent } from "react";
import { Link } from "react-router";

import { FormError } from "@/components/common/FormError";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { register } from "@/features/auth/api/auth";
import { AuthLayout } from "@/features/auth/components/AuthLayout";
import { PasswordInput } from "@/features/auth/components/PasswordInput";
import { useAuth } from "@/features/auth/hooks/auth-context";
import { validateSignUp, type SignUpField } from "@/features/auth/utils/validation";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { toFormErrors, type FormErrors } from "@/lib/errors";

const FIELDS = ["username", "email", "password"] as const;

export default function SignUpPage() {
  useDocumentTitle("Create your account");
  const { signIn } = useAuth();
  const [values, setValues] = useState<Record<SignUpField, string>>({ username: "", email: "", password: "" });
  const [errors, setErrors] = useState<FormErrors<SignUpField>>({ fields: {}, form: null });
  const [pending, setPending] = useState(false);
  // The username registered by an earlier submit whose sign-in then failed: resubmitting retries
  // only the sign-in (registering it again would answer 409 for the account just made).
  const registered = useRef<string | null>(null);

  const set = (field: SignUpField) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = validateSignUp(values);
    if (Object.keys(local).length > 0) {
      setErrors({ fields: local, form: null });
      return;
    }
    setPending(true);
    setErrors({ fields: {}, form: null });
    const username = values.username.trim();
    try {
      if (registered.current !== username) {
        await register({ username, email: values.email.trim(), password: values.password });
        registered.current = username;
      }
      await signIn(username, values.password);
    } catch (error) {
      setErrors(toFormErrors(error, FIELDS));
      setPending(false);
    }
  }

  return (
    <AuthLayout title="Create your account" description="It takes a minute. Then tell us what you want to learn.">
      <form onSubmit={(event) => void handleSubmit(event)} noValidate className="grid grid-cols-1 gap-4">
        <FormError message={errors.form} />
        <Field id="signup-username" label="Username" hint="3–80 characters: letters, digits, '.', '_' or '-'." error={errors.fields.username}>
          {(control) => (
            <Input {...control} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} value={values.username} onChange={set("username")} />
          )}
        </Field>
        <Field id="signup-email" label="Email" error={errors.fields.email}>
          {(control) => <Input {...control} name="email" type="email" autoComplete="email" value={values.email} onChange={set("email")} />}
        </Field>
        <Field id="signup-password" label="Password" hint="At least 8 characters." error={errors.fields.password}>
          {(control) => (
            <PasswordInput {...control} name="password" autoComplete="new-password" value={values.password} onChange={set("password")} />
          )}
        </Field>
        <Button type="submit" size="lg" disabled={pending} className="mt-2 w-full">
          {pending ? <Loader2 className="animate-spin" aria-hidden="true" /> : null}
          Create account
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-muted-foreground">
        Already have an account?{" "}
        <Link to="/sign-in" className="font-medium text-primary underline-offset-4 hover:underline">
          Sign in
        </Link>
      </p>
    </AuthLayout>
  );
}
