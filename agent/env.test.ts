import { describe, expect, it } from "vitest";
import { agentEnv } from "./env";

describe("agentEnv", () => {
  it("accepts an IANA time zone for schedules and leaves it unset by default", () => {
    expect(agentEnv({ STRATA_AGENT_TIME_ZONE: "Europe/Paris" }).STRATA_AGENT_TIME_ZONE).toBe("Europe/Paris");
    expect(agentEnv({}).STRATA_AGENT_TIME_ZONE).toBeUndefined();
  });

  it("names a wrong time zone", () => {
    expect(() => agentEnv({ STRATA_AGENT_TIME_ZONE: "Mars/Olympus" })).toThrow("STRATA_AGENT_TIME_ZONE: an IANA time zone such as Europe/Paris");
  });
});
