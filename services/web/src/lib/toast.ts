// A tiny toast store: call `toast(...)` from anywhere; <Toaster /> renders them with Radix Toast.
import type { ReactNode } from "react";

export type ToastVariant = "default" | "success" | "error";

export interface ToastAction {
  label: string;
  onClick: () => void;
}

export interface ToastItem {
  id: number;
  title: string;
  description?: ReactNode;
  variant: ToastVariant;
  action?: ToastAction;
  /** Milliseconds; errors stay a little longer. */
  duration: number;
  open: boolean;
}

type Listener = () => void;

let nextId = 1;
let items: ToastItem[] = [];
const listeners = new Set<Listener>();
const MAX_TOASTS = 4;

function emit(): void {
  for (const listener of listeners) listener();
}

export function toast(input: {
  title: string;
  description?: ReactNode;
  variant?: ToastVariant;
  action?: ToastAction;
  duration?: number;
}): number {
  const id = nextId++;
  const variant = input.variant ?? "default";
  const item: ToastItem = {
    id,
    title: input.title,
    description: input.description,
    variant,
    action: input.action,
    duration: input.duration ?? (variant === "error" || input.action ? 8000 : 4000),
    open: true,
  };
  items = [...items, item].slice(-MAX_TOASTS);
  emit();
  return id;
}

/** Close a toast (it animates out, then `removeToast` drops it). */
export function dismissToast(id: number): void {
  items = items.map((item) => (item.id === id ? { ...item, open: false } : item));
  emit();
}

export function removeToast(id: number): void {
  items = items.filter((item) => item.id !== id);
  emit();
}

export function getToasts(): ToastItem[] {
  return items;
}

export function subscribeToasts(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Test helper. */
export function resetToasts(): void {
  items = [];
  emit();
}
