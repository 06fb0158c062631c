import { CheckCircle2, Info, X, XCircle } from "lucide-react";
import { Toast as ToastPrimitive } from "radix-ui";
import { useSyncExternalStore } from "react";

import { dismissToast, getToasts, removeToast, subscribeToasts, type ToastItem } from "@/lib/toast";
import { cn } from "@/lib/utils";

const ICONS = { default: Info, success: CheckCircle2, error: XCircle } as const;

function ToastView({ item }: { item: ToastItem }) {
  const Icon = ICONS[item.variant];
  return (
    <ToastPrimitive.Root
      open={item.open}
      duration={item.duration}
      type={item.variant === "error" ? "foreground" : "background"}
      onOpenChange={(open) => {
        if (!open) {
          dismissToast(item.id);
          window.setTimeout(() => removeToast(item.id), 200);
        }
      }}
      className={cn(
        "group pointer-events-auto relative flex w-full items-start gap-3 rounded-xl border bg-popover p-4 pr-10 text-popover-foreground shadow-lg animate-in data-[swipe=end]:translate-x-(--radix-toast-swipe-end-x) data-[swipe=move]:translate-x-(--radix-toast-swipe-move-x) data-[state=closed]:opacity-0 transition-opacity",
        item.variant === "success" && "border-success/40",
        item.variant === "error" && "border-destructive/50",
      )}
    >
      <Icon
        className={cn(
          "mt-0.5 size-5 shrink-0",
          item.variant === "success" && "text-success",
          item.variant === "error" && "text-destructive",
          item.variant === "default" && "text-primary",
        )}
        aria-hidden="true"
      />
      <div className="grid grid-cols-1 min-w-0 flex-1 gap-1">
        <ToastPrimitive.Title className="text-sm font-semibold">{item.title}</ToastPrimitive.Title>
        {item.description ? (
          <ToastPrimitive.Description className="text-sm text-muted-foreground">{item.description}</ToastPrimitive.Description>
        ) : null}
        {item.action ? (
          <ToastPrimitive.Action altText={item.action.label} asChild>
            <button
              type="button"
              onClick={item.action.onClick}
              className="mt-1 w-fit rounded-md border border-input bg-card px-3 py-1.5 text-sm font-medium hover:bg-accent"
            >
              {item.action.label}
            </button>
          </ToastPrimitive.Action>
        ) : null}
      </div>
      <ToastPrimitive.Close className="absolute top-2.5 right-2.5 rounded-md p-1 text-muted-foreground hover:bg-accent hover:text-foreground">
        <X className="size-4" aria-hidden="true" />
        <span className="sr-only">Dismiss</span>
      </ToastPrimitive.Close>
    </ToastPrimitive.Root>
  );
}

export function Toaster() {
  const items = useSyncExternalStore(subscribeToasts, getToasts, getToasts);
  return (
    <ToastPrimitive.Provider swipeDirection="right" label="Notifications">
      {items.map((item) => (
        <ToastView key={item.id} item={item} />
      ))}
      <ToastPrimitive.Viewport className="fixed right-0 bottom-20 z-[100] flex max-h-screen w-full flex-col gap-2 p-4 outline-none sm:top-auto sm:bottom-0 sm:max-w-sm md:bottom-0" />
    </ToastPrimitive.Provider>
  );
}
