// Every relative link in the README and the docs pages resolves: the file exists, and a #fragment names a heading of
// the page it points to (GitHub's anchor rules). A user follows them literally.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "@jest/globals";
import { REPO_ROOT } from "../support/processes.js";

const PAGES = [
  "README.md",
  "models/README.md",
  ...fs.readdirSync(path.join(REPO_ROOT, "docs")).map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replaceAll(" ", "-");
}

function anchorsOf(file: string): Set<string> {
  const text = fs.readFileSync(file, "utf8");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] ?? "")));
}

/** Relative links outside code blocks: [label](target). */
function linksOf(page: string): string[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, page), "utf8").replace(/```[\s\S]*?```/g, "");
  return [...text.matchAll(/\[[^\]]+\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((target) => !/^[a-z]+:/.test(target));
}

describe("documentation links", () => {
  it.each(PAGES)("%s links only to files and headings that exist", (page) => {
    const broken: string[] = [];
    for (const target of linksOf(page)) {
      const [file = "", anchor] = target.split("#");
      const dest = file ? path.resolve(REPO_ROOT, path.dirname(page), file) : path.join(REPO_ROOT, page);
      if (!fs.existsSync(dest)) broken.push(`${target} (no such file)`);
      else if (anchor && dest.endsWith(".md") && !anchorsOf(dest).has(anchor))
        broken.push(`${target} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });

  it("keeps the README a front door (at most ~200 lines)", () => {
    expect(fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(200);
  });
});
