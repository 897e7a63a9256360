// A small, safe syntax colouring for previews: splits lines into typed tokens (rendered as text by React,
// never as HTML). Covers comments, strings, numbers and keywords of common languages; not a parser.
import { extensionOf } from "./content-type";

export type TokenKind = "plain" | "comment" | "string" | "number" | "keyword";
export interface Token {
  kind: TokenKind;
  text: string;
}

interface Lang {
  line: string[];
  block?: [string, string];
  keywords: Set<string>;
}

const kw = (s: string) => new Set(s.split(" "));
const C_LIKE = kw("if else for while do switch case break continue return function const let var class new this import export from default extends implements interface type enum public private protected static async await try catch finally throw typeof instanceof void null undefined true false struct int char long unsigned float double package func go defer range map chan select fn let mut impl trait pub use mod match loop");
const PY = kw("def class if elif else for while return import from as with try except finally raise pass break continue lambda yield None True False and or not in is global nonlocal async await");
const SH = kw("if then else elif fi for while do done case esac function return in export local echo exit set unset");
const SQL = kw("select from where and or not insert into values update set delete create table drop alter index join left right inner outer on group by order having limit null primary key as distinct union");
const YAML = kw("true false null yes no on off");

const LANGS: Record<string, Lang> = {
  c: { line: ["//"], block: ["/*", "*/"], keywords: C_LIKE },
  hash: { line: ["#"], keywords: SH },
  py: { line: ["#"], keywords: PY },
  sql: { line: ["--"], block: ["/*", "*/"], keywords: SQL },
  yaml: { line: ["#"], keywords: YAML },
  ini: { line: ["#", ";"], keywords: YAML },
};

const BY_EXT: Record<string, string> = {
  js: "c", mjs: "c", cjs: "c", ts: "c", tsx: "c", jsx: "c", c: "c", h: "c", cpp: "c", java: "c", go: "c", rs: "c",
  css: "c", php: "c", json: "c", sh: "hash", bash: "hash", zsh: "hash", rb: "hash", pl: "hash", conf: "hash",
  py: "py", sql: "sql", yml: "yaml", yaml: "yaml", toml: "ini", ini: "ini", cfg: "ini",
};

/** The colouring language for a file name, or null for plain text. */
export function languageFor(name: string): string | null {
  const base = name.slice(name.lastIndexOf("/") + 1);
  if (base === "Dockerfile" || base === "Makefile" || base.startsWith(".bash") || base === ".profile") return "hash";
  return BY_EXT[extensionOf(name)] ?? null;
}

const WORD = /^[A-Za-z_][A-Za-z0-9_]*/;
const NUMBER = /^(0x[0-9a-fA-F]+|\d+(\.\d+)?)/;

/** Tokens of each line; a block comment may run across lines. */
export function highlightLines(lines: string[], language: string | null): Token[][] {
  const lang = language ? LANGS[language] : undefined;
  if (!lang) return lines.map((text) => [{ kind: "plain", text }]);
  let inBlock = false;
  return lines.map((line) => {
    const tokens: Token[] = [];
    const push = (kind: TokenKind, text: string) => {
      const last = tokens[tokens.length - 1];
      if (last && last.kind === kind) last.text += text;
      else if (text) tokens.push({ kind, text });
    };
    let i = 0;
    while (i < line.length) {
      const rest = line.slice(i);
      if (inBlock && lang.block) {
        const end = rest.indexOf(lang.block[1]);
        const stop = end < 0 ? rest.length : end + lang.block[1].length;
        push("comment", rest.slice(0, stop));
        inBlock = end < 0;
        i += stop;
        continue;
      }
      if (lang.block && rest.startsWith(lang.block[0])) {
        inBlock = true;
        push("comment", lang.block[0]);
        i += lang.block[0].length;
        continue;
      }
      if (lang.line.some((p) => rest.startsWith(p))) {
        push("comment", rest);
        break;
      }
      const ch = rest[0];
      if (ch === '"' || ch === "'" || ch === "`") {
        let j = 1;
        while (j < rest.length && rest[j] !== ch) j += rest[j] === "\\" ? 2 : 1;
        push("string", rest.slice(0, j + 1));
        i += j + 1;
        continue;
      }
      const word = WORD.exec(rest)?.[0];
      if (word) {
        push(lang.keywords.has(language === "sql" ? word.toLowerCase() : word) ? "keyword" : "plain", word);
        i += word.length;
        continue;
      }
      const num = NUMBER.exec(rest)?.[0];
      if (num) {
        push("number", num);
        i += num.length;
        continue;
      }
      push("plain", ch);
      i++;
    }
    return tokens;
  });
}
