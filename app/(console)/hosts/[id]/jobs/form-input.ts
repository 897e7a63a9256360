// Turns the job form's flat fields (dotted names, one-per-line textareas, checkboxes) into the job input the
// shared schema validates; nothing is checked here, so every problem comes back from one place as a field error.
type Form = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : Array.isArray(v) ? String(v[0] ?? "") : undefined);
const text = (v: unknown): string | undefined => {
  const s = str(v)?.trim();
  return s ? s : undefined;
};
const lines = (v: unknown): string[] => (str(v) ?? "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const num = (v: unknown): number | undefined => {
  const s = text(v);
  return s === undefined ? undefined : Number(s);
};
const checked = (v: unknown) => v !== undefined && v !== "" && v !== "false";

function schedule(f: Form) {
  switch (str(f["schedule.kind"])) {
    case "hourly":
      return { kind: "hourly", minute: num(f["schedule.minute"]) };
    case "daily":
      return { kind: "daily", at: text(f["schedule.at"]) ?? "" };
    case "weekly":
      return { kind: "weekly", day: num(f["schedule.weekday"]), at: text(f["schedule.at"]) ?? "" };
    case "monthly":
      return { kind: "monthly", day: num(f["schedule.monthday"]), at: text(f["schedule.at"]) ?? "" };
    default:
      return { kind: "cron", expression: str(f["schedule.expression"]) ?? "" };
  }
}

function options(f: Form) {
  const o: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(f)) {
    if (!key.startsWith("options.")) continue;
    const k = key.slice("options.".length);
    if (k === "databases") o[k] = lines(value);
    else if (k === "port" || k === "masterDay") o[k] = num(value);
    else o[k] = text(value);
  }
  return o;
}

/** The job input a submitted job form stands for. */
export function formToJobInput(f: Form) {
  return {
    name: str(f.name) ?? "",
    method: str(f.method) ?? "",
    enabled: checked(f.enabled),
    sources: lines(f.sources),
    includes: lines(f.includes),
    excludes: lines(f.excludes),
    schedule: schedule(f),
    retention: {
      olderThan: text(f["retention.olderThan"]),
      keepLast: num(f["retention.keepLast"]),
      keepDaily: num(f["retention.keepDaily"]),
      keepWeekly: num(f["retention.keepWeekly"]),
      keepMonthly: num(f["retention.keepMonthly"]),
    },
    options: options(f),
    preCommand: text(f.preCommand),
    postCommand: text(f.postCommand),
    notify: {
      emails: lines(f["notify.emails"]),
      webhook: text(f["notify.webhook"]),
      onFailure: checked(f["notify.onFailure"]),
      onSuccess: checked(f["notify.onSuccess"]),
      onOverdue: checked(f["notify.onOverdue"]),
    },
    overdueAfterHours: num(f.overdueAfterHours),
    runMissed: checked(f.runMissed),
    password: str(f.password) || undefined,
    clearPassword: checked(f.clearPassword),
  };
}

/** The retention policy part of the form (for the dry run). */
export function formToRetention(f: Form) {
  return formToJobInput(f).retention;
}

/** The schedule part of the form (for the next fire times). */
export function formToSchedule(f: Form) {
  return schedule(f);
}
