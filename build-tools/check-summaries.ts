/**
 * Every summary jsii takes from a doc comment (its first sentence, the line API.md and the IDEs of every
 * language show) ends where a sentence ends. jsii cuts the summary at the first `;`-or-`.`-ended clause,
 * so a doc comment that starts "Build image that runs the Docker build; it runs in privileged mode"
 * shows "Build image that runs the Docker build;". Usage: check-summaries.ts [.jsii]. Exits non-zero
 * and lists each summary that does not end with . ! ? ) : or a closing backtick.
 */
import * as fs from 'fs';

const assembly = JSON.parse(fs.readFileSync(process.argv[2] ?? '.jsii', 'utf-8'));
const problems: string[] = [];
let checked = 0;
const check = (where: string, docs?: { summary?: string }): void => {
  if (docs?.summary === undefined) {
    return;
  }
  checked++;
  if (!/[.!?):`]$/.test(docs.summary.trim())) {
    problems.push(`${where}: "${docs.summary}"`);
  }
};
for (const [fqn, type] of Object.entries<any>(assembly.types ?? {})) {
  check(fqn, type.docs);
  for (const p of type.properties ?? []) check(`${fqn}.${p.name}`, p.docs);
  for (const m of type.members ?? []) check(`${fqn}.${m.name}`, m.docs);
  for (const m of type.methods ?? []) {
    check(`${fqn}.${m.name}()`, m.docs);
    for (const p of m.parameters ?? []) check(`${fqn}.${m.name}(${p.name})`, p.docs);
  }
  for (const p of type.initializer?.parameters ?? []) check(`${fqn}(${p.name})`, p.docs);
}
if (problems.length > 0) {
  console.error(
    `summaries: ${problems.length} end mid-sentence (end the first sentence with a period):\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`summaries: all ${checked} end at the end of a sentence`);
