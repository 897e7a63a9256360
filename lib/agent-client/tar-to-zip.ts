// Re-packs the agent's tar stream as a zip on the fly: one tar entry at a time goes into archiver's
// ZipArchive, so memory stays bounded; cancelling destroys the current entry, the tar parser and the zip.
import { once } from "node:events";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ZipArchive } from "archiver";
import * as tar from "tar-stream";
import { isCompressed } from "./http";

/** Whether an entry name could escape the extraction directory (never put into the zip). */
export function unsafeEntryName(name: string): boolean {
  return name.startsWith("/") || name.includes("\0") || name.split("/").some((s) => s === "..");
}

/** Files above this size are stored, not deflated: deflate runs at ~20 MB/s, storing near disk speed. */
export const DEFLATE_MAX_BYTES = 1 << 20;

/** Whether an entry goes into the zip as is (already compressed, or large enough that speed wins). */
export function storeAsIs(name: string, size: number): boolean {
  return isCompressed(name) || size > DEFLATE_MAX_BYTES;
}

/** A zip stream of the tar `source`, and `cancel` to stop everything (client gone). */
export function tarToZip(source: Readable): { zip: AsyncIterable<Buffer>; cancel: () => void } {
  const extract = tar.extract();
  const archive = new ZipArchive({ zlib: { level: 1 } });
  let current: { destroy(): void } | undefined;
  let cancelled = false;
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    current?.destroy();
    source.destroy();
    extract.destroy();
    archive.abort();
    archive.destroy();
  };
  pipeline(source, extract as unknown as NodeJS.WritableStream).catch((err) => archive.destroy(err));
  (async () => {
    for await (const entry of extract) {
      if (cancelled) return;
      const h = entry.header;
      const name = h.name.replace(/\/+$/, "");
      const common = { date: h.mtime, mode: h.mode };
      if (unsafeEntryName(name)) {
        entry.resume();
        continue;
      }
      if (h.type === "file" || h.type === "contiguous-file") {
        current = entry;
        archive.append(entry as unknown as Readable, { name, store: storeAsIs(name, h.size ?? 0), ...common });
        await once(archive, "entry");
        current = undefined;
        continue;
      }
      if (h.type === "directory") archive.append(Buffer.alloc(0), { name: `${name}/`, type: "directory", ...common });
      else if (h.type === "symlink" && h.linkname) archive.symlink(name, h.linkname, h.mode);
      entry.resume(); // fifos, devices and hard links have no zip form
      if (h.type === "directory" || h.type === "symlink") await once(archive, "entry");
    }
    if (!cancelled) await archive.finalize();
  })().catch((err) => {
    if (!cancelled) archive.destroy(err);
  });
  return { zip: archive as unknown as AsyncIterable<Buffer>, cancel };
}
