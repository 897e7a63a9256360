import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { sessionCaller } from "@/lib/auth/caller";
import { LoginForm } from "@/components/auth/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; reason?: string }> }) {
  if (await sessionCaller()) redirect("/");
  const { callbackUrl, reason } = await searchParams;
  const safeCallback = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/";
  return (
    <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="text-xl font-semibold">Strata</h1>
      <p className="mb-6 text-sm text-slate-600">Sign in to the backup console</p>
      {reason === "password-changed" && <p className="mb-4 rounded bg-green-50 px-3 py-2 text-sm text-green-800">Password changed: sign in with the new one.</p>}
      <LoginForm callbackUrl={safeCallback} />
    </div>
  );
}
