// Small inline icons for entry types (no icon font, no network).
import { previewKindFor } from "@/lib/preview/content-type";

const paths = {
  dir: "M2 5a2 2 0 0 1 2-2h4l2 2h6a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V5z",
  file: "M5 2h7l4 4v12a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm7 0v4h4",
  image: "M3 4h14v12H3zM3 13l4-4 3 3 2-2 5 5M13 7.5a1 1 0 1 0 0 .01",
  link: "M8 12l4-4M7 9l-2 2a2.8 2.8 0 0 0 4 4l2-2M13 11l2-2a2.8 2.8 0 0 0-4-4L9 7",
  other: "M10 3a7 7 0 1 0 0 14a7 7 0 0 0 0-14zM10 7v4M10 13v.01",
};

/** The icon for an entry: folder, file, image, symlink or special file. */
export function EntryIcon({ type, name }: { type: string; name: string }) {
  const kind = type === "dir" ? "dir" : type === "symlink" ? "link" : type !== "file" ? "other" : previewKindFor(name) === "image" ? "image" : "file";
  const colour = kind === "dir" ? "text-amber-500" : kind === "link" ? "text-sky-600" : kind === "other" ? "text-slate-400" : "text-slate-500";
  return (
    <svg viewBox="0 0 20 20" className={`h-4 w-4 shrink-0 ${colour}`} aria-label={type} role="img" fill={kind === "dir" ? "currentColor" : "none"} stroke="currentColor" strokeWidth={kind === "dir" ? 0 : 1.5} strokeLinecap="round" strokeLinejoin="round">
      <path d={paths[kind]} />
    </svg>
  );
}
