// Line diffs between two text versions: a unified patch (as text and as typed rows) and side-by-side rows.
import { createTwoFilesPatch, diffLines, structuredPatch } from "diff";
import { splitLines } from "./text";

export type UnifiedRow =
  | { kind: "hunk"; text: string }
  | { kind: "add" | "del" | "same"; text: string; oldNo?: number; newNo?: number };

export interface SideRow {
  kind: "same" | "change" | "add" | "del";
  left?: { no: number; text: string };
  right?: { no: number; text: string };
}

/** The unified patch text (like `diff -u`), with `context` lines around each change. */
export function unifiedPatch(oldName: string, newName: string, oldText: string, newText: string, context = 3): string {
  return createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, { context });
}

/** The unified patch as rows with old and new line numbers, for rendering. */
export function unifiedRows(oldText: string, newText: string, context = 3): UnifiedRow[] {
  const patch = structuredPatch("a", "b", oldText, newText, undefined, undefined, { context });
  const rows: UnifiedRow[] = [];
  for (const h of patch.hunks) {
    rows.push({ kind: "hunk", text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
    let oldNo = h.oldStart;
    let newNo = h.newStart;
    for (const line of h.lines) {
      const mark = line[0];
      const text = line.slice(1);
      if (mark === "\\") continue;
      if (mark === "+") rows.push({ kind: "add", text, newNo: newNo++ });
      else if (mark === "-") rows.push({ kind: "del", text, oldNo: oldNo++ });
      else rows.push({ kind: "same", text, oldNo: oldNo++, newNo: newNo++ });
    }
  }
  return rows;
}

/** Rows for a two-column view: removed lines pair up with the added lines that replace them. */
export function sideBySideRows(oldText: string, newText: string): SideRow[] {
  const rows: SideRow[] = [];
  let oldNo = 1;
  let newNo = 1;
  const parts = diffLines(oldText, newText);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const lines = splitLines(part.value);
    if (!part.added && !part.removed) {
      for (const text of lines) rows.push({ kind: "same", left: { no: oldNo++, text }, right: { no: newNo++, text } });
      continue;
    }
    if (part.removed && parts[i + 1]?.added) {
      const added = splitLines(parts[++i].value);
      for (let k = 0; k < Math.max(lines.length, added.length); k++) {
        const left = k < lines.length ? { no: oldNo++, text: lines[k] } : undefined;
        const right = k < added.length ? { no: newNo++, text: added[k] } : undefined;
        rows.push({ kind: left && right ? "change" : left ? "del" : "add", left, right });
      }
      continue;
    }
    for (const text of lines) {
      rows.push(part.added ? { kind: "add", right: { no: newNo++, text } } : { kind: "del", left: { no: oldNo++, text } });
    }
  }
  return rows;
}

/** Counts of added and removed lines. */
export function diffStats(oldText: string, newText: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const p of diffLines(oldText, newText)) {
    if (p.added) added += p.count ?? 0;
    if (p.removed) removed += p.count ?? 0;
  }
  return { added, removed };
}
