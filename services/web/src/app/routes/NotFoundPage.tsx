import { Compass } from "lucide-react";
import { Link } from "react-router";

import { EmptyState } from "@/components/common/EmptyState";
import { Button } from "@/components/ui/button";
import { useDocumentTitle } from "@/hooks/use-document-title";

export default function NotFoundPage() {
  useDocumentTitle("Page not found");
  return (
    <EmptyState
      icon={Compass}
      title="Page not found"
      description="The page you asked for does not exist."
      action={
        <Button asChild>
          <Link to="/learn">Go to Learn</Link>
        </Button>
      }
    />
  );
}
