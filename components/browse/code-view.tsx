// Text with line numbers and light syntax colouring; tokens are rendered as text (never as HTML).
import { highlightLines, type TokenKind } from "@/lib/preview/highlight";

const colours: Record<TokenKind, string> = {
  plain: "",
  comment: "text-slate-400 italic",
  string: "text-emerald-700",
  number: "text-amber-700",
  keyword: "text-violet-700 font-medium",
};

export function CodeView({ lines, language }: { lines: string[]; language: string | null }) {
  const tokens = highlightLines(lines, language);
  const width = String(lines.length).length;
  return (
    <div className="max-h-[70vh] overflow-auto rounded-md border border-slate-200 bg-slate-50/60" data-testid="text-preview">
      <table className="w-full border-collapse font-mono text-[12.5px] leading-5">
        <tbody>
          {tokens.map((line, i) => (
            <tr key={i}>
              <td className="sticky left-0 w-px bg-slate-100 px-2 text-right align-top whitespace-nowrap text-slate-400 select-none" style={{ minWidth: `${width + 2}ch` }}>
                {i + 1}
              </td>
              <td className="px-3 whitespace-pre">
                {line.map((t, j) => (
                  <span key={j} className={colours[t.kind]}>
                    {t.text}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
