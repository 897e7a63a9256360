"use server";
// Server actions of the agents page.
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { createEnrolmentToken } from "@/lib/data/agents";

export const createEnrolmentTokenAction = defineAction(
  {
    roles: ["admin"],
    schema: z.object({
      label: z.string().trim().min(1, "Give the token a label (e.g. the server's name)").max(100),
      hours: z.coerce.number({ message: "Enter a number of hours" }).int().min(1, "At least 1 hour").max(24 * 30, "At most 720 hours"),
    }),
  },
  async (caller, input, ctx) => {
    const token = await createEnrolmentToken(caller, input.label, input.hours, ctx);
    return { ok: true, message: `Enrolment token created, valid ${input.hours} h. On the backup server run: strata-agent run --console <console URL> --enrol <token> --name <name>`, reveal: { token } };
  },
);
