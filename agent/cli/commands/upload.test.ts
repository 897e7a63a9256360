import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSshd, type TestSshd } from "../../engines/archive/upload/test-sshd";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");

async function agent(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ["--import", "tsx", "agent/main.ts", ...args], { cwd: ROOT });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let sshd: TestSshd;
let work: string;

beforeAll(async () => {
  sshd = await startTestSshd();
  work = await mkdtemp(path.join(os.tmpdir(), "strata-upload-cli-test-"));
});

afterAll(async () => {
  await sshd?.stop();
  await rm(work, { recursive: true, force: true });
});

async function jobFile(name: string, fingerprint: string): Promise<{ file: string; repo: string; remote: string }> {
  const repo = path.join(work, name, "repo");
  const remote = path.join(work, name, "remote");
  await mkdir(repo, { recursive: true });
  await writeFile(path.join(repo, "bmhost-numbers.20270301.txt"), "1\n2\n3\n");
  await writeFile(path.join(repo, "bmhost-numbers.20270228.txt"), "old\n");
  const job = {
    name,
    repository: repo,
    prefix: "bmhost",
    methods: ["pipe"],
    pipe: [{ name: "numbers", command: ["seq", "3"], fileType: "txt" }],
    upload: {
      method: "sftp",
      hosts: [{ host: "127.0.0.1", port: sshd.port, user: sshd.user, privateKeyPath: sshd.userKeyPath, hostKeyFingerprint: fingerprint }],
      destination: remote,
    },
  };
  const file = path.join(work, `${name}.json`);
  await writeFile(file, JSON.stringify(job));
  return { file, repo, remote };
}

describe("strata-agent archive upload / host-key", () => {
  it("prints the host key fingerprint to pin", async () => {
    const r = await agent("archive", "host-key", "127.0.0.1", "--port", String(sshd.port));
    expect(r).toMatchObject({ code: 0, stdout: `${sshd.hostKeyFingerprint}\n` });
  });

  it("uploads the day's archives of a job and says what it did", async () => {
    const { file, remote } = await jobFile("up1", sshd.hostKeyFingerprint);
    const r = await agent("archive", "upload", "--config", file, "--date", "20270301");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Host "127.0.0.1" 20270301: 1 uploaded, 0 already there, 0 purged');
    expect(await readdir(remote)).toEqual(["bmhost-numbers.20270301.txt"]);
    expect(await readFile(path.join(remote, "bmhost-numbers.20270301.txt"), "utf8")).toBe("1\n2\n3\n");
  });

  it("exits 1 with a clear message when the host key does not match", async () => {
    const wrong = "SHA256:" + "A".repeat(43);
    const { file, remote } = await jobFile("up2", wrong);
    const r = await agent("archive", "upload", "--config", file, "--date", "20270301");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`does not match the pinned fingerprint: expected "${wrong}", got "${sshd.hostKeyFingerprint}"; refusing to connect`);
    await expect(readdir(remote)).rejects.toThrow(/ENOENT/);
  });
});
