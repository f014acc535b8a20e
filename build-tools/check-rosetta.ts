/**
 * Checks the tablet that `jsii-rosetta extract --strict --compile` wrote: every README and `@example`
 * snippet compiled and has a translation for each jsii target language. Exits non-zero otherwise.
 */
import * as fs from 'fs';

const LANGUAGES = ['python', 'java', 'csharp', 'go'];
const tabletFile = process.argv[2] ?? '.jsii.tabl.json';
const MIN_SNIPPETS = Number(process.argv[3] ?? '1');

const tablet = JSON.parse(fs.readFileSync(tabletFile, 'utf-8'));
const snippets = Object.values<any>(tablet.snippets ?? {});
const problems: string[] = [];
for (const snippet of snippets) {
  const where =
    `${snippet.location?.api?.api ?? '?'} ${snippet.location?.api?.fqn ?? ''} ${snippet.location?.field?.field ?? ''}`.trim();
  if (snippet.didCompile !== true) {
    problems.push(`${where}: did not compile`);
  }
  for (const language of LANGUAGES) {
    const source = snippet.translations?.[language]?.source;
    if (typeof source !== 'string' || source.trim().length === 0) {
      problems.push(`${where}: no ${language} translation`);
    }
  }
}
if (snippets.length < MIN_SNIPPETS) {
  problems.push(`only ${snippets.length} snippets in ${tabletFile}, expected at least ${MIN_SNIPPETS}`);
}
if (problems.length > 0) {
  console.error(`rosetta: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`rosetta: ${snippets.length} snippets compiled and translated to ${LANGUAGES.join(', ')}`);
