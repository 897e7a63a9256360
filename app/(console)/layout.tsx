// The console shell. Loading boundaries (loading.tsx) sit only on segments whose pages never answer 403/404:
// a Suspense boundary above a role or existence check would stream a 200 before forbidden()/notFound() runs.
import { pageCaller } from "@/lib/auth/page";
import { Shell } from "@/components/layout/shell";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const caller = await pageCaller();
  return <Shell caller={caller}>{children}</Shell>;
}
