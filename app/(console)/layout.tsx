// The console shell. No loading.tsx at this level on purpose: a Suspense boundary here would stream the
// shell before nested layouts run their role checks, and forbidden() would then come after a 200 status.
import { pageCaller } from "@/lib/auth/page";
import { Shell } from "@/components/layout/shell";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const caller = await pageCaller();
  return <Shell caller={caller}>{children}</Shell>;
}
