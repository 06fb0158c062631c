import { useEffect } from "react";

/** "Progress · ailp" in the tab and for screen readers announcing the new page. */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · ailp` : "ailp — AI Learning Platform";
  }, [title]);
}
