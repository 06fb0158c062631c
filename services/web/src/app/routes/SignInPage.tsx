import { Info, Loader2 } from "lucide-react";
import { useState, type SubmitEvent } from "react";
import { Link } from "react-router";

import { FormError } from "@/components/common/FormError";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { AuthLayout } from "@/features/auth/components/AuthLayout";
import { PasswordInput } from "@/features/auth/components/PasswordInput";
import { useAuth } from "@/features/auth/hooks/auth-context";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { toFormErrors, type FormErrors } from "@/lib/errors";

const FIELDS = ["username", "password"] as const;
type SignInField = (typeof FIELDS)[number];

export default function SignInPage() {
  useDocumentTitle("Sign in");
  const { signIn, notice, clearNotice } = useAuth();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FormErrors<SignInField>>({ fields: {}, form: null });
  const [pending, setPending] = useState(false);

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const local: FormErrors<SignInField> = { fields: {}, form: null };
    if (!username.trim()) local.fields.username = "Enter your username.";
    if (!password) local.fields.password = "Enter your password.";
    if (local.fields.username || local.fields.password) {
      setErrors(local);
      return;
    }
    setPending(true);
    setErrors({ fields: {}, form: null });
    try {
      await signIn(username.trim(), password);
      clearNotice();
    } catch (error) {
      setErrors(toFormErrors(error, FIELDS));
      setPending(false);
    }
  }

  return (
    <AuthLayout title="Sign in" description="Welcome back. Pick up where you left off.">
      {notice ? (
        <Alert variant="info" className="mb-4" role="status">
          <Info aria-hidden="true" />
          <AlertDescription className="text-foreground">{notice}</AlertDescription>
        </Alert>
      ) : null}
      <form onSubmit={(event) => void handleSubmit(event)} noValidate className="grid grid-cols-1 gap-4">
        <FormError message={errors.form} />
        <Field id="signin-username" label="Username" error={errors.fields.username}>
          {(control) => (
            <Input
              {...control}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          )}
        </Field>
        <Field id="signin-password" label="Password" error={errors.fields.password}>
          {(control) => (
            <PasswordInput {...control} name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        <Button type="submit" size="lg" disabled={pending} className="mt-2 w-full">
          {pending ? <Loader2 className="animate-spin" aria-hidden="true" /> : null}
          Sign in
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-muted-foreground">
        New here?{" "}
        <Link to="/sign-up" className="font-medium text-primary underline-offset-4 hover:underline">
          Create an account
        </Link>
      </p>
    </AuthLayout>
  );
}
