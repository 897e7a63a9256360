// The Uploader interface every remote kind implements (SFTP today; S3 and FTP later), and what an upload reports.

/** One entry of the remote destination directory. */
export interface RemoteEntry {
  name: string;
  size: number;
  isFile: boolean;
}

/** How one file reached the remote side. */
export interface UploadOutcome {
  name: string;
  size: number;
  /** Bytes sent in this call (less than size when resumed or skipped). */
  bytesSent: number;
  /** Offset an interrupted earlier upload was resumed from (0 = from the start). */
  resumedFrom: number;
  /** "sha256" when the remote digest was compared, "size" when only the size could be checked. */
  verified: "sha256" | "size";
  /** True when an identical file was already there and nothing was sent. */
  skipped: boolean;
}

/** What the caller knows about a local file it uploads. */
export interface LocalFile {
  path: string;
  /** Remote base name (normally the local base name). */
  name: string;
  size: number;
  sha256: string;
}

/** A connected remote destination directory. */
export interface Uploader {
  /** Where files go, for messages, e.g. `sftp://backup@host:22/srv/archives`. */
  readonly target: string;
  connect(): Promise<void>;
  /** Creates the destination directory (and parents) when missing. */
  ensureDestination(): Promise<void>;
  list(): Promise<RemoteEntry[]>;
  /**
   * Uploads to `<name>.part`, resuming from its size when one is left from a dropped connection,
   * verifies it, then renames it to `<name>`. A file already there with the same digest is skipped.
   */
  upload(file: LocalFile, opts?: { signal?: AbortSignal; onProgress?: (bytes: number) => void }): Promise<UploadOutcome>;
  remove(name: string): Promise<void>;
  close(): Promise<void>;
}

/** True for errors that mean the connection went away (worth reconnecting and resuming). */
export function isConnectionLost(err: unknown): boolean {
  return err instanceof ConnectionLostError;
}

/** The transport dropped in the middle of an operation. */
export class ConnectionLostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConnectionLostError";
  }
}
