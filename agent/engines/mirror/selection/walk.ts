// Walks a Source in rdiff-backup's order (depth first, names sorted bytewise) applying a Selection:
// scanned directories are yielded only once something inside them is included.
import { childPath, type Source, type SourceEntry } from "@/agent/sources/types";
import type { Selection } from "./selection";

/** One selected path: `path` relative ("" = root). */
export interface WalkItem {
  path: Buffer;
  entry: SourceEntry;
}

/** Called when a directory cannot be listed; the walk goes on as if it were empty. */
export type ListErrorHandler = (path: Buffer, err: Error) => void;

interface Frame {
  item: WalkItem;
  children: SourceEntry[] | undefined;
  next: number;
  delayed: boolean;
}

/** Yields the root, then every selected path in metadata order; listing errors go to `onListError`. */
export async function* selectedWalk(source: Source, selection: Selection, onListError: ListErrorHandler): AsyncGenerator<WalkItem> {
  for await (const batch of selectedWalkBatches(source, selection, onListError)) yield* batch;
}

/** selectedWalk in batches: the items found between two directory listings come together. */
export async function* selectedWalkBatches(source: Source, selection: Selection, onListError: ListErrorHandler): AsyncGenerator<WalkItem[]> {
  const rootEntry = await source.stat(Buffer.alloc(0));
  const root: WalkItem = { path: Buffer.alloc(0), entry: rootEntry };
  let out: WalkItem[] = [root];
  if (rootEntry.type !== "dir") return yield out;
  const stack: Frame[] = [{ item: root, children: undefined, next: 0, delayed: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (!top.children) {
      if (out.length) yield out;
      out = [];
      top.children = await listSafely(source, top.item.path, onListError);
    }
    if (top.next >= top.children.length) {
      stack.pop();
      continue;
    }
    const entry = top.children[top.next++];
    top.children[top.next - 1] = undefined as unknown as SourceEntry; // release as we go
    const path = childPath(top.item.path, entry.name);
    const item: WalkItem = { path, entry };
    const verdict = selection.select(path, entry);
    if (verdict === 1) {
      for (const f of stack) {
        if (f.delayed) {
          f.delayed = false;
          out.push(f.item);
        }
      }
      out.push(item);
      if (entry.type === "dir") stack.push({ item, children: undefined, next: 0, delayed: false });
    } else if (verdict === 2 && entry.type === "dir") {
      stack.push({ item, children: undefined, next: 0, delayed: true });
    }
  }
  if (out.length) yield out;
}

async function listSafely(source: Source, path: Buffer, onListError: ListErrorHandler): Promise<SourceEntry[]> {
  try {
    return await source.list(path);
  } catch (err) {
    onListError(path, err instanceof Error ? err : new Error(String(err)));
    return [];
  }
}
