import { Loader2 } from "lucide-react";

import { Button } from "@/components/ui/button";

export function LoadMore({
  hasNextPage,
  isFetchingNextPage,
  onLoadMore,
}: {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  onLoadMore: () => void;
}) {
  if (!hasNextPage) return null;
  return (
    <div className="flex justify-center pt-2">
      <Button variant="outline" onClick={onLoadMore} disabled={isFetchingNextPage}>
        {isFetchingNextPage ? <Loader2 className="animate-spin" aria-hidden="true" /> : null}
        {isFetchingNextPage ? "Loading…" : "Load more"}
      </Button>
    </div>
  );
}
