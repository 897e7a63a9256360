"use client";
// The method-specific part of the job form: compression, archive names, master day, dump databases and
// credentials (the password is write-only), pipe command.
import { Field, Input, Select } from "@/components/ui";
import type { JobMethod } from "@/lib/schemas/job";
import { Checkbox, Textarea, joinLines } from "./fields";

const COMPRESSION = ["none", "gzip", "bzip2", "xz", "zstd"];
type Opts = Record<string, unknown>;
const s = (v: unknown, d = "") => (v === undefined || v === null ? d : String(v));

function Compression({ o, errors, fallback }: { o: Opts; errors: Record<string, string[]>; fallback: string }) {
  return (
    <Field label="Compression" name="options.compression" errors={errors["options.compression"]}>
      <Select name="options.compression" defaultValue={s(o.compression, fallback)}>
        {COMPRESSION.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </Select>
    </Field>
  );
}

export function MethodOptions({ method, options: o, errors, hasPassword }: { method: JobMethod; options: Opts; errors: Record<string, string[]>; hasPassword: boolean }) {
  if (method === "mirror") return <p className="text-sm text-slate-500">A mirror keeps the current tree plus reverse increments; it has no options here.</p>;
  if (method === "svn") return <Compression o={o} errors={errors} fallback="bzip2" />;
  if (method === "tarball" || method === "tarball_incremental")
    return (
      <div className="grid grid-cols-2 gap-4">
        <Compression o={o} errors={errors} fallback="gzip" />
        <Field label="Archive name format" name="options.nameFormat" errors={errors["options.nameFormat"]}>
          <Select name="options.nameFormat" defaultValue={s(o.nameFormat, "long")}>
            <option value="long">long (path-derived)</option>
            <option value="short">short (last component)</option>
          </Select>
        </Field>
        {method === "tarball_incremental" && (
          <>
            <Field label="New master archive" name="options.masterFrequency" errors={errors["options.masterFrequency"]}>
              <Select name="options.masterFrequency" defaultValue={s(o.masterFrequency, "weekly")}>
                <option value="weekly">weekly</option>
                <option value="monthly">monthly</option>
              </Select>
            </Field>
            <Field label="Master day" name="options.masterDay" errors={errors["options.masterDay"]} hint="weekly: 0 (Sunday) to 6; monthly: 1 to 31">
              <Input name="options.masterDay" defaultValue={s(o.masterDay, "1")} inputMode="numeric" />
            </Field>
          </>
        )}
      </div>
    );
  if (method === "pipe")
    return (
      <div className="grid grid-cols-2 gap-4">
        <Field label="Command" name="options.command" errors={errors["options.command"]} hint="Run on the host; its output is archived">
          <Input name="options.command" defaultValue={s(o.command)} className="font-mono" />
        </Field>
        <Field label="Archive name" name="options.archiveName" errors={errors["options.archiveName"]}>
          <Input name="options.archiveName" defaultValue={s(o.archiveName)} />
        </Field>
        <Compression o={o} errors={errors} fallback="none" />
      </div>
    );
  return (
    <div className="grid grid-cols-2 gap-4">
      <Field label="Databases (one per line; empty for all)" name="options.databases" errors={errors["options.databases"]}>
        <Textarea name="options.databases" defaultValue={joinLines(o.databases as string[] | undefined)} />
      </Field>
      <Compression o={o} errors={errors} fallback="bzip2" />
      <Field label="Database user" name="options.user" errors={errors["options.user"]}>
        <Input name="options.user" defaultValue={s(o.user)} autoComplete="off" />
      </Field>
      <Field label="Password" name="password" errors={errors.password} hint={hasPassword ? "Set — leave empty to keep" : "Stored encrypted; never shown again"}>
        <Input name="password" type="password" autoComplete="new-password" placeholder={hasPassword ? "set — leave empty to keep" : ""} />
        {hasPassword && <Checkbox name="clearPassword" label="Remove the stored password" />}
      </Field>
      <Field label="Database host" name="options.host" errors={errors["options.host"]}>
        <Input name="options.host" defaultValue={s(o.host, "localhost")} />
      </Field>
      <Field label="Port" name="options.port" errors={errors["options.port"]}>
        <Input name="options.port" defaultValue={s(o.port, method === "mysql" ? "3306" : "5432")} inputMode="numeric" />
      </Field>
    </div>
  );
}
