import { awscdk, javascript } from 'projen';

/**
 * aws-cdk-lib floor: the lowest release that has every API the constructs use and for which the
 * dev tools resolve. `src/` compiles against 2.176.0 and not 2.175.0 (`LinuxBuildImage.AMAZON_LINUX_2023_5`,
 * `LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0`; `IRepository.registryUri` since 2.174);
 * `@aws-cdk/integ-tests-alpha` is published for 2.177.0 but not 2.176.x, and cdk-nag 2.x needs >= 2.176.
 */
const CDK_VERSION = '2.177.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-ecr-codebuild',
  description:
    'CDK constructs that build Docker images in CodeBuild, push them to ECR, share them across accounts, and build code inside them.',
  author: 'cdk-ecr-codebuild',
  authorAddress: 'maintainers@cdk-ecr-codebuild.invalid',
  authorOrganization: true,
  repositoryUrl: 'https://github.com/cdk-ecr-codebuild/cdk-ecr-codebuild.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'aws-cdk', 'awscdk', 'ecr', 'codebuild', 'docker', 'container'],

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',
  workflowNodeVersion: '20.x',
  projenrcTs: true,
  prettier: true,
  prettierOptions: {
    settings: {
      singleQuote: true,
      printWidth: 120,
      trailingComma: javascript.TrailingComma.ALL,
    },
  },

  // eslint in the test task checks; it never rewrites files (run `npx eslint --fix` by hand).
  eslintOptions: {
    dirs: ['src', 'handlers'],
    devdirs: ['test', 'examples', 'bench', 'build-tools', 'projenrc', '.projenrc.ts'],
    commandOptions: { fix: false, extraArgs: ['--max-warnings', '0'] },
  },

  cdkVersion: CDK_VERSION,
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',

  jestOptions: {
    passWithNoTests: false,
    // jest 30 resolves modules with unrs-resolver (see eslint-import-resolver-typescript below).
    jestVersion: '^29',
    // projen's default passes --updateSnapshot, which makes every snapshot test unable to fail.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 180_000,
      // Scratch space of the consumer suites and of the package tasks: installed copies of aws-cdk-lib
      // there must not reach jest's module map.
      modulePathIgnorePatterns: ['<rootDir>/.tmp/', '<rootDir>/dist/', '<rootDir>/test/consumers/'],
      // The handlers' bundles (lib/handlers/), which the tests that synthesize a handler's asset need,
      // are built before any test runs, also on a fresh clone and with a bare `npx jest`.
      globalSetup: '<rootDir>/test/support/bundle-handlers.global-setup.ts',
    },
  },

  gitignore: ['/cdk.out', '.tmp/', 'bench/out/', '.jsii.tabl.json'],
  npmignoreEnabled: true,

  devDeps: [
    'cdk-nag@^2.37.55',
    `@aws-cdk/integ-tests-alpha@${CDK_VERSION}-alpha.0`,
    '@aws-cdk/integ-runner@^2',
    '@aws-sdk/client-ecr@^3',
    '@aws-sdk/client-cloudformation@^3',
    '@aws-sdk/client-codebuild@^3',
    '@aws-sdk/client-dynamodb@^3',
    '@aws-sdk/client-iam@^3',
    '@aws-sdk/client-kms@^3',
    '@aws-sdk/client-lambda@^3',
    '@aws-sdk/client-s3@^3',
    '@aws-sdk/client-ssm@^3',
    '@types/aws-lambda',
    'esbuild',
    'yaml@^2',
  ],

  // Publishing targets (used by the release workflow, which has network access to every registry).
  publishToPypi: {
    distName: 'cdk-ecr-codebuild',
    module: 'cdk_ecr_codebuild',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkecrcodebuild',
    mavenGroupId: 'io.github.cdkecrcodebuild',
    mavenArtifactId: 'cdk-ecr-codebuild',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkEcrCodebuild',
    packageId: 'CdkEcrCodebuild',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-ecr-codebuild/cdk-ecr-codebuild-go',
  },
});

// eslint-import-resolver-typescript 3.7 resolves with enhanced-resolve; later versions pull
// unrs-resolver, whose per-platform optional packages the registry here does not serve, and npm 11
// then writes a lockfile that its own `npm ci` rejects ("Missing: @unrs/resolver-binding-…").
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.7.0');

// Example apps and benchmarks are type-checked and linted like tests: each folder gets a tsconfig
// that extends the test one (eslint's project service picks the nearest tsconfig.json).
project.tsconfigDev.addInclude('../examples/**/*.ts');
project.tsconfigDev.addInclude('../bench/**/*.ts');
// The consumer suites (test/consumers/<language>/) are apps of their own: each installs the packed
// library and compiles against it with its own pinned tools, not against the source tree.
project.tsconfigDev.addExclude('consumers/**');
project.eslint?.addIgnorePattern('test/consumers/');
project.npmignore?.exclude('/test/consumers/');
// Contributor documents stay in the repository: the package carries README.md, API.md and LICENSE.
project.npmignore?.exclude('/TESTING.md', '/CONTRIBUTING.md', '/ARCHITECTURE.md');
for (const dir of ['examples', 'bench', 'build-tools']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../test/tsconfig.json']),
    include: ['**/*.ts'],
    compilerOptions: {},
  });
}
project.npmignore?.exclude('/examples/', '/bench/', '/.ci/', '/build-tools/', '/rosetta/', '/cdk.out', '/.tmp/');

// The custom-resource handlers (handlers/<name>/*.ts) run in Lambda, not in the user's app: they are
// not in src/ (jsii would make their AWS SDK a dependency of every binding). Type-checked as strictly
// as src/ (tsc over every handler file, in `compile`), linted like src/, and bundled by esbuild into
// one self-contained lib/handlers/<name>/index.js each (the asset HandlerFunction deploys). The AWS
// SDK v3 is left out of the bundles: Lambda's Node.js runtimes provide it.
const handlersTsconfig = new javascript.TypescriptConfig(project, {
  fileName: 'handlers/tsconfig.json',
  include: ['**/*.ts'],
  compilerOptions: {
    ...project.tsconfig!.compilerOptions,
    rootDir: undefined,
    outDir: undefined,
    declaration: false,
    inlineSourceMap: undefined,
    inlineSources: undefined,
    experimentalDecorators: undefined,
    noEmit: true,
    types: ['aws-lambda', 'node'],
  },
});
project.tsconfigDev.addInclude('../handlers/**/*.ts');
// The handlers import the AWS SDK v3 from devDependencies: the bundles leave it out, the Lambda
// runtime provides it (and no user of the library installs it because of them).
project.eslint?.addOverride({
  files: ['handlers/**/*.ts'],
  rules: {
    'import/no-extraneous-dependencies': [
      'error',
      { devDependencies: true, optionalDependencies: false, peerDependencies: true },
    ],
  },
});
project.npmignore?.exclude('/handlers/');
const bundleHandlers = project.addTask('bundle:handlers', {
  description: 'Type-check the custom-resource handlers (handlers/) and bundle each into lib/handlers/<name>/index.js',
  steps: [
    { exec: `tsc --project ${handlersTsconfig.fileName}` },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/bundle-handlers.ts' },
  ],
});
// Before jsii: `compile` ships the bundles in lib/ (and docgen, after it, never sees them).
project.preCompileTask.spawn(bundleHandlers);

// The main job: synthesize the example app with no AWS account or credentials.
project.addTask('synth:example', {
  description: 'Synthesize examples/seed-pipeline.ts into cdk.out/ and print a summary',
  exec: 'ts-node --project test/tsconfig.json examples/seed-pipeline.ts',
});
project.tasks.tryFind('synth:example')!.prependSpawn(bundleHandlers);

// Checks that run offline in `npm test` (the release workflow keeps projen's package:* tasks, which
// need PyPI, Maven Central, NuGet and the Go proxy).
const offline = { JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };
const bindings = project.addTask('test:bindings', {
  description:
    'jsii compile; README/@example snippets through jsii-rosetta --strict into 4 languages; generate the bindings',
  env: offline,
  steps: [
    { spawn: 'compile' },
    { exec: 'rm -rf .tmp/bindings .jsii.tabl.json' },
    { exec: 'jsii-rosetta extract --strict --compile' },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/check-rosetta.ts .jsii.tabl.json 24' },
    { exec: 'jsii-pacmak --code-only --targets python,java,dotnet,go --outdir .tmp/bindings' },
    { exec: 'python3 -m compileall -q .tmp/bindings/python' },
    // The docstrings of the bindings carry the rosetta translations (the tablet existed when
    // jsii-pacmak ran), and README's Python/Java examples are rosetta's translations of a snippet.
    {
      exec: 'ts-node --project build-tools/tsconfig.json build-tools/check-translations.ts .jsii.tabl.json .tmp/bindings',
    },
    { exec: 'gofmt -e -l .tmp/bindings/go > /dev/null' },
    { say: 'bindings: python, java, dotnet and go code generated; python byte-compiles; go parses' },
  ],
});
// The package:<language> tasks (release path) run jsii-pacmak, which writes the docstrings of
// the bindings from the rosetta tablet: without `.jsii.tabl.json` they carry the TypeScript
// examples. Each of them extracts the tablet first (compiling every snippet, --strict).
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Compile and translate the README and @example snippets into .jsii.tabl.json (before jsii-pacmak)',
  env: offline,
  exec: 'jsii-rosetta extract --strict --compile',
});
for (const language of ['java', 'python', 'dotnet', 'go']) {
  project.tasks.tryFind(`package:${language}`)?.prependSpawn(rosettaExtract);
}
// package:go: jsii-pacmak's own check of the module (`go mod tidy` and `go build` against the
// aws-cdk-go 2.177 of the peer dependency) needs github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2
// v2.2.296, which the Go module proxy these machines reach refuses. The module is generated code-only
// into dist/go, and the Go consumer suite builds and tests it against aws-cdk-go 2.276
// (test/consumers/go, in `npm test`). .NET stays code generation only: there is no .NET SDK here.
const packageGo = project.tasks.tryFind('package:go')!;
packageGo.reset();
packageGo.spawn(rosettaExtract);
packageGo.exec('jsii-pacmak -v --target go --code-only');

// The consumer suites: what a user installs (the packages above, from dist/), in a fresh app per
// language, against aws-cdk-lib from each language's registry, at the floor and at the newest 2.x
// (TESTING.md, "Consumer suites": what each asserts and how long it takes).
const consumerSuites = project.addTask('test:consumers', {
  description:
    'Build the npm, PyPI, Maven and Go packages into dist/ and run the TypeScript (floor, newest), Python, Java and Go consumer suites on them',
  env: offline,
  steps: [
    // The packages are made from the compiled assembly (.jsii): compiled here too, so the task also runs alone.
    { spawn: 'compile' },
    // The handlers' bundles ship in lib/handlers/ (HandlerFunction's assets): built before packing.
    { spawn: 'bundle:handlers' },
    { spawn: 'package:js' },
    { spawn: 'package:python' },
    { spawn: 'package:java' },
    { spawn: 'package:go' },
    { exec: 'bash test/consumers/run-all.sh' },
  ],
});
for (const [name, command] of [
  ['typescript:floor', 'typescript/run.sh floor'],
  ['typescript:newest', 'typescript/run.sh newest'],
  ['python', 'python/run.sh'],
  ['java', 'java/run.sh'],
  ['go', 'go/run.sh'],
]) {
  project.addTask(`consumer:${name}`, {
    description: `Run the ${name} consumer suite on the packages in dist/ (build them with npx projen package:<language>)`,
    env: offline,
    exec: `bash test/consumers/${command}`,
  });
}
project.addTask('consumers:upgrade', {
  description:
    "Move the TypeScript consumer suite's newest pin to the latest aws-cdk-lib 2.x, constructs 10.x and cdk-nag",
  exec: 'bash test/consumers/typescript/upgrade.sh',
});

const apiDocs = project.addTask('test:api-docs', {
  description: 'Fail when the committed API.md differs from what jsii-docgen generates (run `npx projen docgen`)',
  env: offline,
  steps: [
    { exec: 'mkdir -p .tmp && jsii-docgen -o .tmp/API.md' },
    { exec: 'diff -u API.md .tmp/API.md' },
    { exec: 'ts-node --project build-tools/tsconfig.json build-tools/check-summaries.ts .jsii' },
    { say: 'API.md is up to date' },
  ],
});
const integApp = 'ts-node --project test/tsconfig.json {filePath}';
const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Compare the integration tests with their committed snapshots (no deploy, no credentials)',
  env: offline,
  exec: `integ-runner --language typescript --app "${integApp}"`,
});
integSnapshot.prependSpawn(bundleHandlers);
const integUpdate = project.addTask('integ:update', {
  description: 'Rewrite the integration test snapshots without deploying',
  env: offline,
  exec: `integ-runner --language typescript --app "${integApp}" --dry-run --update-on-failed`,
});
integUpdate.prependSpawn(bundleHandlers);
const integDeploy = project.addTask('integ:deploy', {
  description:
    'Deploy every integration test, run its assertions, destroy it, and update the snapshots (needs AWS credentials)',
  env: offline,
  exec: `integ-runner --language typescript --app "${integApp}" --force --update-on-failed`,
});
integDeploy.prependSpawn(bundleHandlers);
// integ-runner's working copies of the apps' output (with their synth.lock files), next to each app.
project.gitignore.exclude('/test/cdk-integ.out.*');
// No jest snapshot tests here (integration snapshots are integ-runner's): drop projen's
// `test:update`, the one task that would run jest with --updateSnapshot.
project.tasks.removeTask('test:update');

// The suite under load: every jest test, 10 times, beside one busy loop per core; reports each test
// that failed at least once (never retries). Not part of `npm test`; see README "Testing notes".
project.addTask('test:stress', {
  description: 'Run the jest suite 10 times beside a CPU load and report every test that failed at least once',
  env: offline,
  exec: 'ts-node --project build-tools/tsconfig.json build-tools/stress.ts',
  receiveArgs: true,
});

// Benchmarks print figures; they are not part of `npm test` (see bench/RESULTS.md).
const benchEnv = { TS_NODE_PROJECT: 'bench/tsconfig.json' };
project.addTask('bench', {
  description: 'Synth time of DockerBuildToEcr vs hand-written L2s, resources and bytes per construct, policy capacity',
  env: benchEnv,
  exec: 'node -r ts-node/register bench/synth.ts',
  receiveArgs: true,
});
project.addTask('bench:policy-capacity', {
  description: 'Accounts that fit in one ECR repository policy: CrossAccountPullPolicy vs grantPull',
  env: benchEnv,
  exec: 'node -r ts-node/register bench/policy-capacity.ts',
});
// The benchmarks that synthesize a handler's asset need its bundle.
for (const name of ['bench', 'bench:policy-capacity']) {
  project.tasks.tryFind(name)!.prependSpawn(bundleHandlers);
}
project.addTask('bench:policy-race', {
  description:
    'Concurrent writers of one imported repository policy (N = 2-16) against moto: convergence, lease waits, lost statements',
  env: benchEnv,
  exec: 'node -r ts-node/register bench/repository-policy-race.ts',
  receiveArgs: true,
});
project.addTask('bench:real-builds', {
  description: 'Cold and warm real builds of the DockerBuildToEcr buildspec on the Docker engine (loopback)',
  env: { TS_NODE_PROJECT: 'test/tsconfig.json' },
  exec: 'node -r ts-node/register test/support/real-build/bench.ts',
  receiveArgs: true,
});

project.addTask('bench:registry-cache', {
  description:
    'P5: rebuild after a source-only change on an empty Docker daemon, cache in the registry only, vs the cold build',
  env: benchEnv,
  exec: 'node -r ts-node/register bench/registry-cache.ts',
  receiveArgs: true,
});

project.testTask.spawn(bindings);
project.testTask.spawn(apiDocs);
project.testTask.spawn(integSnapshot);
project.testTask.spawn(consumerSuites);

project.synth();
