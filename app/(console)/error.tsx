"use client";
import { ErrorPanel } from "@/components/ui/error-panel";

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <ErrorPanel code="Error" title="Something went wrong" detail={error.digest ? `Reference ${error.digest}` : undefined}>
      <button onClick={reset} className="mt-4 text-sm font-medium text-brand-600 hover:underline">
        Try again
      </button>
    </ErrorPanel>
  );
}
