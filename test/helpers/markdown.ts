// Reading the manual in docs/ the way a test needs it: the text under one heading, the names
// written in backticks there, and the anchors GitHub makes of headings.

/** One heading and the text under it, up to the next heading of the same or a higher level. */
export interface Section {
  heading: string;
  level: number;
  text: string;
}

/** Lines inside ``` fences are text, never headings (a YAML comment starts with # too). */
function headingOf(line: string, fenced: boolean): { level: number; title: string } | undefined {
  if (fenced) return undefined;
  const match = /^(#{1,6}) (.*)$/.exec(line);
  return match?.[1] && match[2] !== undefined ? { level: match[1].length, title: match[2].trim() } : undefined;
}

export function sections(markdown: string): Section[] {
  const lines = markdown.split('\n');
  const found: { heading: string; level: number; start: number }[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = headingOf(line, fenced);
    if (heading) found.push({ heading: heading.title, level: heading.level, start: index });
  });
  return found.map((section, i) => {
    const next = found.slice(i + 1).find((later) => later.level <= section.level);
    return { heading: section.heading, level: section.level, text: lines.slice(section.start + 1, next?.start).join('\n') };
  });
}

/** The sections whose heading contains `words` (e.g. "summary.csv", "`http`", "sockcap run"). */
export function sectionsTitled(markdown: string, words: string): Section[] {
  return sections(markdown).filter((section) => section.heading.includes(words));
}

/**
 * Every name written in backticks: the whole code and its words, so `a`, `b`, `a, b`,
 * `--set path=value` and `{ distribution: uniform, min: 1s }` all name what they hold.
 */
export function codeNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    const code = match[1] ?? '';
    names.add(code.trim());
    for (const part of code.split(/[\s,:{}()=|'"]+/)) if (part !== '') names.add(part);
  }
  return names;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

export function anchors(markdown: string): Set<string> {
  return new Set(sections(markdown).map((section) => anchorOf(section.heading)));
}

/** Relative links `[text](path#anchor)`, outside code. */
export function relativeLinks(markdown: string): string[] {
  const outsideCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...outsideCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '').filter((link) => !/^[a-z]+:/i.test(link));
}
