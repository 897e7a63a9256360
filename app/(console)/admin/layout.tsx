import { pageCallerWithRole } from "@/lib/auth/page";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  await pageCallerWithRole("admin");
  return children;
}
