import { pageCaller } from "@/lib/auth/page";
import { Shell } from "@/components/layout/shell";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const caller = await pageCaller();
  return <Shell caller={caller}>{children}</Shell>;
}
