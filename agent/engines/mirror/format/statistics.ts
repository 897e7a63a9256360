// session_statistics and file_statistics files (§1.8): byte-exact writers, tolerant readers,
// and the human size form ("18.6 KB", "1 byte") rdiff-backup prints in them and in `list` output.
import { createWriteStream, type WriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { once } from "node:events";
import { createGzip, type Gzip } from "node:zlib";
import { timeToPretty } from "@/lib/timespec";
import { quotePath, unquotePath } from "./metadata-record";
import { openMaybeGzip, splitLines } from "./metadata-stream";
import { BatchedSink, METADATA_GZIP_LEVEL } from "./batched-sink";

const UNITS: Array<[bigint, number, string]> = [
  [1n << 40n, 40, "TB"], [1n << 30n, 30, "GB"], [1n << 20n, 20, "MB"], [1n << 10n, 10, "KB"],
];

/** Correctly rounded (ties to even, like Python's `%.Nf`) decimal of n / 2^shift with `prec` decimals. */
function fixedOfPow2(n: bigint, shift: number, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const num = n * scale, den = 1n << BigInt(shift);
  let q = num / den;
  const twice = (num % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(prec + 1, "0");
  return prec ? `${s.slice(0, -prec)}.${s.slice(-prec)}` : s;
}

/** rdiff-backup's human byte count: `x.xx KB|MB|GB|TB` with 3 significant digits, else `N bytes`. */
export function humanBytes(count: number): string {
  const sign = count < 0 ? "-" : "";
  const n = BigInt(Math.round(Math.abs(count)));
  for (const [size, shift, unit] of UNITS) {
    if (n >= size) {
      const whole = n / size;
      const prec = whole >= 100n ? 0 : whole >= 10n ? 1 : 2;
      return `${sign}${fixedOfPow2(n, shift, prec)} ${unit}`;
    }
  }
  return n === 1n ? `${sign}1 byte` : `${sign}${n} bytes`;
}

/** `time.asctime(time.localtime(t))`, e.g. `Fri Apr  5 12:00:00 2024`, in the process's time zone. */
export function asctime(epoch: number): string {
  return timeToPretty(epoch);
}

/** `Time.inttopretty`: "23051 hours 27 minutes 58.96 seconds". */
export function prettyDuration(seconds: number): string {
  const parts: string[] = [];
  const hours = Math.floor(seconds / 3600);
  let rest = seconds - hours * 3600;
  const minutes = Math.floor(rest / 60);
  rest -= minutes * 60;
  if (hours > 1) parts.push(`${hours} hours`); else if (hours === 1) parts.push("1 hour");
  if (minutes > 1) parts.push(`${minutes} minutes`); else if (minutes === 1) parts.push("1 minute");
  if (rest === 1) parts.push("1 second");
  else if (!parts.length || rest > 1) parts.push(Number.isInteger(rest) ? `${rest} seconds` : `${rest.toFixed(2)} seconds`);
  return parts.join(" ");
}

/** The counters of one session, as in `session_statistics.<t>.data`. */
export interface SessionStatistics {
  StartTime: number;
  EndTime: number;
  SourceFiles: number;
  SourceFileSize: number;
  MirrorFiles: number;
  MirrorFileSize: number;
  NewFiles: number;
  NewFileSize: number;
  DeletedFiles: number;
  DeletedFileSize: number;
  ChangedFiles: number;
  ChangedSourceSize: number;
  ChangedMirrorSize: number;
  IncrementFiles: number;
  IncrementFileSize: number;
  Errors: number;
}

const FILE_PAIRS: Array<[keyof SessionStatistics, boolean]> = [
  ["SourceFiles", false], ["SourceFileSize", true], ["MirrorFiles", false], ["MirrorFileSize", true],
  ["NewFiles", false], ["NewFileSize", true], ["DeletedFiles", false], ["DeletedFileSize", true],
  ["ChangedFiles", false], ["ChangedSourceSize", true], ["ChangedMirrorSize", true],
  ["IncrementFiles", false], ["IncrementFileSize", true],
];

/** Text of a session_statistics file, exactly as rdiff-backup lays it out. */
export function formatSessionStatistics(s: SessionStatistics): string {
  const elapsed = s.EndTime - s.StartTime;
  const lines = [
    `StartTime ${s.StartTime.toFixed(2)} (${asctime(s.StartTime)})`,
    `EndTime ${s.EndTime.toFixed(2)} (${asctime(s.EndTime)})`,
    `ElapsedTime ${elapsed.toFixed(2)} (${prettyDuration(elapsed)})`,
  ];
  for (const [k, bytes] of FILE_PAIRS) lines.push(bytes ? `${k} ${s[k]} (${humanBytes(s[k])})` : `${k} ${s[k]}`);
  const tdsc = s.NewFileSize + s.ChangedSourceSize + s.IncrementFileSize - s.DeletedFileSize - s.ChangedMirrorSize;
  lines.push(`TotalDestinationSizeChange ${tdsc} (${humanBytes(tdsc)})`, `Errors ${s.Errors}`);
  return lines.join("\n") + "\n";
}

/** Parses statistics text: the first two tokens of each line (`Key number`). */
export function parseSessionStatistics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  return out;
}

/** Reads a session_statistics file. */
export async function readSessionStatistics(path: string): Promise<Record<string, number>> {
  return parseSessionStatistics(await readFile(path, "utf8"));
}

/** One line of a file_statistics file; sizes are null for "NA". */
export interface FileStatLine {
  path: Buffer;
  changed: boolean;
  sourceSize: number | null;
  mirrorSize: number | null;
  incrementSize: number | null;
}

const FILE_STATS_HEADER = "# Format of each line in file statistics file:\n# Filename Changed SourceSize MirrorSize IncrementSize\n";

function sizeText(n: number | null): string {
  return n === null ? "NA" : String(n);
}

/** Bytes of one file_statistics line (path metadata-quoted, `.` for the root). */
export function formatFileStatLine(l: FileStatLine): Buffer {
  return Buffer.from(formatFileStatLineLatin1(l), "latin1");
}

/** formatFileStatLine as Latin-1 text (one char per byte). */
function formatFileStatLineLatin1(l: FileStatLine): string {
  const name = l.path.length ? quotePath(l.path).toString("latin1") : ".";
  return `${name} ${l.changed ? 1 : 0} ${sizeText(l.sourceSize)} ${sizeText(l.mirrorSize)} ${sizeText(l.incrementSize)}\n`;
}

/** Parses one file_statistics line, splitting from the right (names may hold spaces); null for headers. */
export function parseFileStatLine(line: Buffer): FileStatLine | null {
  if (line.length === 0 || line[0] === 0x23) return null;
  const cuts: number[] = [];
  for (let i = line.length - 1; i >= 0 && cuts.length < 4; i--) if (line[i] === 0x20) cuts.push(i);
  if (cuts.length < 4) return null;
  const [c4, c3, c2, c1] = cuts;
  const num = (b: Buffer) => (b.toString() === "NA" ? null : Number(b.toString()));
  const name = line.subarray(0, c1);
  return {
    path: name.length === 1 && name[0] === 0x2e ? Buffer.alloc(0) : unquotePath(name),
    changed: line.subarray(c1 + 1, c2).toString() === "1",
    sourceSize: num(line.subarray(c2 + 1, c3)),
    mirrorSize: num(line.subarray(c3 + 1, c4)),
    incrementSize: num(line.subarray(c4 + 1)),
  };
}

/** Streams the lines of a file_statistics file (`.gz` or not). */
export async function* readFileStatistics(path: string): AsyncGenerator<FileStatLine> {
  for await (const line of splitLines(openMaybeGzip(path))) {
    const parsed = parseFileStatLine(line);
    if (parsed) yield parsed;
  }
}

/** Push-style writer of file_statistics (`.gz` when the name ends so). */
export class FileStatisticsWriter {
  private readonly out: WriteStream;
  private readonly gz?: Gzip;
  private readonly sink: BatchedSink;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
    if (path.endsWith(".gz")) {
      this.gz = createGzip({ level: METADATA_GZIP_LEVEL });
      this.gz.pipe(this.out);
    }
    this.sink = new BatchedSink(this.gz ?? this.out);
    void this.sink.writeText(FILE_STATS_HEADER);
  }

  async write(l: FileStatLine): Promise<void> {
    await this.sink.writeText(formatFileStatLineLatin1(l));
  }

  async close(): Promise<void> {
    const done = once(this.out, "close");
    await this.sink.end();
    await done;
  }
}
