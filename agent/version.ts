// The agent's version, reported at enrolment and on every heartbeat.
export const AGENT_VERSION = "0.1.0";
