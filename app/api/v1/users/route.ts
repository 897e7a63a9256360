import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { createUser, listUsers } from "@/lib/data/users";
import { generatePassword } from "@/lib/auth/password";

export const GET = apiRoute({ roles: ["admin"] }, async (req, caller) => {
  const q = new URL(req.url).searchParams.get("q") ?? undefined;
  const users = await listUsers(caller, { q });
  return { users: users.map(({ _count, ...u }) => ({ ...u, hostCount: _count.hosts })) };
});

const body = z.object({
  email: z.string().trim().email("Enter a valid email address"),
  name: z.string().trim().min(1).max(100),
  role: z.enum(["admin", "operator", "viewer"]),
  password: z.string().optional(),
});

export const POST = apiRoute({ roles: ["admin"] }, async (req, caller) => {
  const parsed = body.safeParse(await req.json().catch(() => null));
  if (!parsed.success) throw new AppError("invalid", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const password = parsed.data.password ?? generatePassword();
  const ip = req.headers.get("x-forwarded-for")?.split(",")[0].trim() ?? null;
  const user = await createUser(caller, { ...parsed.data, password }, { ip });
  return Response.json({ user, ...(parsed.data.password ? {} : { password }) }, { status: 201 });
});
