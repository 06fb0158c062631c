import { KeyRound, Loader2 } from "lucide-react";
import { useState, type SubmitEvent } from "react";

import { FormError } from "@/components/common/FormError";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { useChangePassword } from "@/features/account/hooks/use-account";
import { validatePasswordChange, type PasswordChangeField, type PasswordChangeValues } from "@/features/account/utils/account";
import { PasswordInput } from "@/features/auth/components/PasswordInput";
import { toFormErrors, type FormErrors } from "@/lib/errors";

const FIELDS = ["current_password", "new_password", "confirm_password"] as const;
const EMPTY: PasswordChangeValues = { current_password: "", new_password: "", confirm_password: "" };

export function ChangePasswordCard({ username }: { username: string }) {
  const change = useChangePassword();
  const [values, setValues] = useState<PasswordChangeValues>(EMPTY);
  const [errors, setErrors] = useState<FormErrors<PasswordChangeField>>({ fields: {}, form: null });

  const set = (field: PasswordChangeField) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = validatePasswordChange(values);
    if (Object.keys(local).length > 0) {
      setErrors({ fields: local, form: null });
      return;
    }
    setErrors({ fields: {}, form: null });
    change.mutate(
      { username, current: values.current_password, next: values.new_password },
      {
        onSuccess: () => setValues(EMPTY),
        onError: (error) => setErrors(toFormErrors(error, FIELDS)),
      },
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2" className="text-lg">
          Change password
        </CardTitle>
        <CardDescription>Changing it signs you out on every other device and browser.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={handleSubmit} noValidate className="grid max-w-md grid-cols-1 gap-4" aria-label="Change password">
          <FormError message={errors.form} />
          <Field id="current-password" label="Current password" error={errors.fields.current_password}>
            {(control) => (
              <PasswordInput {...control} name="current-password" autoComplete="current-password" value={values.current_password} onChange={set("current_password")} />
            )}
          </Field>
          <Field id="new-password" label="New password" hint="At least 8 characters." error={errors.fields.new_password}>
            {(control) => (
              <PasswordInput {...control} name="new-password" autoComplete="new-password" value={values.new_password} onChange={set("new_password")} />
            )}
          </Field>
          <Field id="confirm-password" label="New password again" error={errors.fields.confirm_password}>
            {(control) => (
              <PasswordInput {...control} name="confirm-password" autoComplete="new-password" value={values.confirm_password} onChange={set("confirm_password")} />
            )}
          </Field>
          <div>
            <Button type="submit" disabled={change.isPending}>
              {change.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <KeyRound aria-hidden="true" />}
              Change password
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
