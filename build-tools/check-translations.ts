/**
 * Checks what other languages see of the examples, after `jsii-rosetta extract` and
 * `jsii-pacmak --code-only`:
 * - the generated Python and Java docstrings of DockerBuildToEcr hold its example in Python / Java
 *   (jsii-pacmak found the tablet), not the TypeScript source;
 * - every ```python and ```java block of README.md is rosetta's translation of a README snippet
 *   that compiled with --strict (so it cannot drift from the TypeScript example).
 * Usage: check-translations.ts <tablet> <bindings dir>. Exits non-zero on any problem.
 */
import * as fs from 'fs';
import * as path from 'path';

const tabletFile = process.argv[2] ?? '.jsii.tabl.json';
const bindingsDir = process.argv[3] ?? '.tmp/bindings';
const problems: string[] = [];

// 1. Docstrings of the generated bindings.
function findFile(dir: string, predicate: (file: string) => boolean): string | undefined {
  if (!fs.existsSync(dir)) {
    return undefined;
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(full, predicate);
      if (found) {
        return found;
      }
    } else if (predicate(full)) {
      return full;
    }
  }
  return undefined;
}

/** The text of a class's doc comment region: from the class declaration to the next 3000 characters. */
function classRegion(text: string, marker: string): string {
  const at = text.indexOf(marker);
  return at < 0 ? '' : text.slice(at, at + 4000);
}

const pythonInit = findFile(path.join(bindingsDir, 'python'), (f) =>
  f.endsWith(path.join('cdk_ecr_codebuild', '__init__.py')),
);
if (pythonInit === undefined) {
  problems.push(`no cdk_ecr_codebuild/__init__.py under ${bindingsDir}/python`);
} else {
  const region = classRegion(fs.readFileSync(pythonInit, 'utf-8'), 'class DockerBuildToEcr(');
  for (const expected of ['DockerBuildToEcr(self, "Image",', 'source=codebuild.Source.s3(']) {
    if (!region.includes(expected)) {
      problems.push(`Python docstring of DockerBuildToEcr lacks ${JSON.stringify(expected)} (${pythonInit})`);
    }
  }
  // AccessLevel is a TypeScript enum, so Python gets an enum.Enum: members compare by value.
  if (!/class AccessLevel\(enum\.Enum\)/.test(fs.readFileSync(pythonInit, 'utf-8'))) {
    problems.push(`AccessLevel is not a Python enum.Enum (${pythonInit})`);
  }
  if (region.includes('new DockerBuildToEcr(this')) {
    problems.push(`Python docstring of DockerBuildToEcr holds the TypeScript example (${pythonInit})`);
  }
}
const javaClass = findFile(path.join(bindingsDir, 'java'), (f) => f.endsWith(`${path.sep}DockerBuildToEcr.java`));
if (javaClass === undefined) {
  problems.push(`no DockerBuildToEcr.java under ${bindingsDir}/java`);
} else {
  const text = fs.readFileSync(javaClass, 'utf-8');
  for (const expected of ['DockerBuildToEcr.Builder.create(this, "Image")', '.source(Source.s3(']) {
    if (!text.includes(expected)) {
      problems.push(`Java doc of DockerBuildToEcr lacks ${JSON.stringify(expected)} (${javaClass})`);
    }
  }
}

// 2. README's Python and Java blocks are rosetta translations of compiled README snippets.
const tablet = JSON.parse(fs.readFileSync(tabletFile, 'utf-8'));
const readmeSnippets = Object.values<any>(tablet.snippets ?? {}).filter(
  (s) => s.location?.api?.api === 'moduleReadme' && s.didCompile === true,
);
const normalize = (code: string): string =>
  code
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
const readme = fs.readFileSync('README.md', 'utf-8');
for (const language of ['python', 'java']) {
  const blocks = [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
  if (blocks.length === 0) {
    problems.push(`README.md has no ${language} example`);
  }
  const translations = readmeSnippets.map((s) => normalize(s.translations?.[language]?.source ?? ''));
  for (const block of blocks) {
    if (!translations.includes(normalize(block))) {
      problems.push(
        `README.md's ${language} block starting ${JSON.stringify(block.split('\n')[0])} is not rosetta's translation ` +
          'of a README snippet: paste the translation from .jsii.tabl.json',
      );
    }
  }
}

if (problems.length > 0) {
  console.error(`translations: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('translations: Python and Java docstrings and README examples are rosetta translations');
