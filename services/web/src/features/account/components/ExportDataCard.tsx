import { Download, Loader2 } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { useExportData } from "@/features/account/hooks/use-account";
import { errorMessage } from "@/lib/errors";
import { toast } from "@/lib/toast";

export function ExportDataCard() {
  const exporting = useExportData();
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2" className="text-lg">
          Download my data
        </CardTitle>
        <CardDescription>
          One JSON file with everything stored about you: your account, your learning profiles with their sessions,
          answers, lessons and progress, and your requests.
        </CardDescription>
      </CardHeader>
      <CardFooter>
        <Button
          variant="outline"
          disabled={exporting.isPending}
          onClick={() =>
            exporting.mutate(undefined, {
              onSuccess: () => toast({ title: "Your data is downloading", variant: "success" }),
              onError: (error) => toast({ title: "Could not download your data", description: errorMessage(error), variant: "error" }),
            })
          }
        >
          {exporting.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Download aria-hidden="true" />}
          Download my data
        </Button>
      </CardFooter>
    </Card>
  );
}
