import { describe, expect, it } from "vitest";
import { contentTypeFor, extensionOf, previewKindFor } from "./content-type";

describe("content types by extension", () => {
  it("knows common types case-insensitively and falls back to octet-stream", () => {
    expect(contentTypeFor("etc/site.CONF")).toBe("text/plain");
    expect(contentTypeFor("a/photo.JPG")).toBe("image/jpeg");
    expect(contentTypeFor("report.pdf")).toBe("application/pdf");
    expect(contentTypeFor("blob.bin")).toBe("application/octet-stream");
    expect(contentTypeFor("README")).toBe("application/octet-stream");
  });
  it("treats dot-files as having no extension", () => {
    expect(extensionOf(".bashrc")).toBe("");
    expect(extensionOf("dir.d/file")).toBe("");
    expect(extensionOf("a.tar.gz")).toBe("gz");
  });
  it("chooses the preview kind", () => {
    expect(previewKindFor("x.json")).toBe("text");
    expect(previewKindFor("x.svg")).toBe("image");
    expect(previewKindFor("x.pdf")).toBe("pdf");
    expect(previewKindFor("x.gz")).toBe("binary");
  });
});
