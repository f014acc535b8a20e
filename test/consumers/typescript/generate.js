// Turns every ```ts block of the README into a TypeScript module of the consumer app.
// Usage: node generate.js <README.md> <outdir>
// - A block marked `nofixture` is a complete program: written as is (`app-<line>.ts`), run as is.
// - Any other block runs inside a Stack's constructor (`this` is the stack), as jsii-rosetta's fixture
//   runs it: its imports stay on top, each `declare const name: Type;` becomes a real construct of that
//   type (src/fixtures.ts), and the module exports build(app) and the ids of the constructs the
//   snippet itself creates with aws-cdk-lib (the user's code, not the library's).
'use strict';
const fs = require('fs');
const path = require('path');

const [readmeFile, outdir] = process.argv.slice(2);
if (!readmeFile || !outdir) {
  console.error('usage: node generate.js <README.md> <outdir>');
  process.exit(2);
}
const readme = fs.readFileSync(readmeFile, 'utf-8');
fs.mkdirSync(outdir, { recursive: true });

const blocks = [];
const fence = /^```ts( nofixture)?\n([\s\S]*?)^```$/gm;
for (let m = fence.exec(readme); m !== null; m = fence.exec(readme)) {
  const line = readme.slice(0, m.index).split('\n').length;
  blocks.push({ line, nofixture: Boolean(m[1]), code: m[2] });
}
if (blocks.length === 0) {
  console.error(`generate: no \`\`\`ts block in ${readmeFile}`);
  process.exit(1);
}

const modules = [];
for (const block of blocks) {
  if (block.nofixture) {
    const file = `app-L${block.line}.ts`;
    fs.writeFileSync(path.join(outdir, file), block.code);
    modules.push({ kind: 'program', file, line: block.line });
    continue;
  }
  const imports = [];
  const declares = [];
  const body = [];
  const libraryNames = new Set();
  const lines = block.code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    const declare = text.match(/^declare const (\w+): ([\w.]+);/);
    if (/^import /.test(text)) {
      // An import may span lines: `import {`, one name per line, `} from '...';`.
      let statement = text;
      while (!/ from '[^']+';$/.test(statement) && i + 1 < lines.length) {
        statement += '\n' + lines[++i];
      }
      imports.push(statement);
      const lib = statement.match(/^import \{([^}]*)\} from 'cdk-ecr-codebuild';/);
      if (lib) lib[1].split(',').map((n) => n.trim()).filter(Boolean).forEach((n) => libraryNames.add(n));
    } else if (declare) {
      declares.push({ name: declare[1], type: declare[2] });
    } else {
      body.push(text);
    }
  }
  // Constructs the snippet creates itself with aws-cdk-lib classes (`new lambda.DockerImageFunction(this, 'Function'`).
  const userIds = [];
  const created = /new ([\w.]+)\(this, '([^']+)'/g;
  const bodyText = body.join('\n');
  for (let m = created.exec(bodyText); m !== null; m = created.exec(bodyText)) {
    if (!libraryNames.has(m[1])) userIds.push(m[2]);
  }
  const stackId = `ReadmeL${block.line}`;
  const source = [
    ...imports,
    "import * as cdkConsumer from 'aws-cdk-lib';",
    "import * as constructsConsumer from 'constructs';",
    "import { Fixtures } from '../fixtures';",
    '',
    `/** README.md line ${block.line}. */`,
    'class Snippet extends cdkConsumer.Stack {',
    '  constructor(scope: constructsConsumer.Construct, id: string) {',
    "    super(scope, id, { env: { account: '111111111111', region: 'us-east-1' } });",
    '    const fixtures = new Fixtures(this);',
    ...declares.map(
      (d) => `    const ${d.name}: ${d.type} = fixtures.given(${JSON.stringify(d.type)}, ${JSON.stringify(d.name)}) as ${d.type};`,
    ),
    ...(declares.length > 0 ? ['    void [' + declares.map((d) => d.name).join(', ') + '];'] : []),
    ...body.map((t) => (t === '' ? '' : `    ${t}`)),
    '  }',
    '}',
    '',
    `export const STACK_ID = ${JSON.stringify(stackId)};`,
    `export const USER_CONSTRUCT_IDS: string[] = ${JSON.stringify(userIds)};`,
    'export function build(app: cdkConsumer.App): cdkConsumer.Stack {',
    '  return new Snippet(app, STACK_ID);',
    '}',
    '',
  ].join('\n');
  const file = `readme-L${block.line}.ts`;
  fs.writeFileSync(path.join(outdir, file), source);
  modules.push({ kind: 'snippet', file, line: block.line, stackId, declares, userIds });
}
fs.writeFileSync(path.join(outdir, 'modules.json'), JSON.stringify(modules, null, 2));
console.log(
  `generate: ${modules.length} README TypeScript blocks (${modules.filter((m) => m.kind === 'program').length} complete program(s)) -> ${outdir}`,
);
