// next-auth configuration: credentials sign-in with rate limiting, JWT sessions that expire.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { consoleRuntime } from "@/lib/env";
import { signIn } from "@/lib/data/sign-in";

function clientIp(headers: Record<string, unknown> | undefined): string {
  const h = (name: string) => {
    const v = headers?.[name];
    return typeof v === "string" ? v : Array.isArray(v) ? String(v[0]) : undefined;
  };
  return (h("x-forwarded-for")?.split(",")[0].trim() || h("x-real-ip") || "unknown").slice(0, 64);
}

/** Built lazily so that importing this module never reads the environment at build time. */
export function authOptions(): NextAuthOptions {
  const rt = consoleRuntime();
  return {
    secret: rt.authSecret,
    session: { strategy: "jwt", maxAge: Math.round(rt.sessionHours * 3600) },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const user = await signIn(
            String(credentials?.email ?? ""),
            String(credentials?.password ?? ""),
            clientIp(req?.headers as Record<string, unknown> | undefined),
          );
          return { id: user.id, email: user.email, name: user.name, sv: user.sessionVersion } as never;
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) token.sv = (user as unknown as { sv: number }).sv;
        return token;
      },
      async session({ session, token }) {
        return { ...session, userId: token.sub, sv: token.sv };
      },
    },
  };
}
