import { describe, expect, it } from "vitest";
import { archiveUrl, atParam, browseHref, encodePath, fileDataUrl, fileHref, pathFromSegments, queryString } from "./urls";

describe("browse permalinks", () => {
  it("encode each path segment and keep the separators", () => {
    expect(encodePath("")).toBe("");
    expect(encodePath("etc/naïve name & #1?.txt")).toBe("etc/na%C3%AFve%20name%20%26%20%231%3F.txt");
    expect(browseHref("r1", "")).toBe("/repositories/r1/browse");
    expect(browseHref("r1", "a b/c", { at: "3D" })).toBe("/repositories/r1/browse/a%20b/c?at=3D");
    expect(fileHref("r1", "x/%2f.txt")).toBe("/repositories/r1/file/x/%252f.txt");
  });
  it("leave out empty and false options and write true as 1", () => {
    expect(queryString({ at: "", deleted: true, filter: undefined, sort: null, order: false, cursor: "abc" })).toBe("?deleted=1&cursor=abc");
    expect(queryString({})).toBe("");
  });
  it("write increment times as UTC date-times in whole seconds", () => {
    expect(atParam(new Date(1_700_000_000_000))).toBe("2023-11-14T22:13:20Z");
  });
  it("point downloads at the file and archive endpoints with the path as a query value", () => {
    expect(fileDataUrl("r1", "a b/c&d", "1B")).toBe("/api/v1/repositories/r1/file?path=a+b%2Fc%26d&at=1B");
    expect(archiveUrl("r1", "", "2023-11-14T22:13:20Z", "tar.gz")).toBe("/api/v1/repositories/r1/archive?at=2023-11-14T22%3A13%3A20Z&format=tar.gz");
  });
  it("join catch-all segments back into a path", () => {
    expect(pathFromSegments(undefined)).toBe("");
    expect(pathFromSegments(["a", "b c"])).toBe("a/b c");
    expect(pathFromSegments(["docs", "na%C3%AFve%20name%20%26%20%231.txt"])).toBe("docs/naïve name & #1.txt");
    expect(pathFromSegments(["100%.txt"])).toBe("100%.txt");
    expect(pathFromSegments(encodePath("a/%2f b").split("/"))).toBe("a/%2f b");
  });
});
