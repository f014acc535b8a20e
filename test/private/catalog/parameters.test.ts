import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { CfnParameter, CfnParameterProps, Stack } from 'aws-cdk-lib';
import { goPlatformRule, PARAMETER_RULES } from '../../../src/private/catalog/parameters';
import { GO_DIST_LISTS, goPlatformsOf } from '../../../src/private/go/dist-lists';
import { isGoPlatform } from '../../../src/private/go/platforms';
import { allCuratedGoVersions } from '../../../src/private/go/runtimes';
import { validateBucketName, validateObjectKey, validateRepositoryName } from '../../../src/private/shared/validation';

/**
 * Whether CloudFormation accepts `value` for a String parameter at launch: MinLength/MaxLength count
 * characters (UTF-16 code units here, the larger count), AllowedValues must hold it, and AllowedPattern
 * "must match the entire parameter value provided" (Service Catalog API reference, ParameterConstraints):
 * the pattern is anchored as a whole, and evaluated on code points (flag u), as Java's regular
 * expressions do.
 */
function launchAccepts(rule: CfnParameterProps, value: string): boolean {
  if (rule.minLength !== undefined && value.length < rule.minLength) {
    return false;
  }
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    return false;
  }
  if (rule.allowedValues !== undefined && !rule.allowedValues.includes(value)) {
    return false;
  }
  return rule.allowedPattern === undefined || new RegExp(`^(?:${rule.allowedPattern})$`, 'u').test(value);
}

function synthAccepts(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/**
 * ECR's own pattern and lengths for repository names: CreateRepository, `repositoryName` (Amazon ECR
 * API Reference; the ECR service model `RepositoryName` shape: min 2, max 256,
 * `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`), also the AllowedPattern
 * of AWS::ECR::Repository RepositoryName (CloudFormation template reference).
 */
function ecrAccepts(name: string): boolean {
  return (
    name.length >= 2 &&
    name.length <= 256 &&
    /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/.test(name)
  );
}

describe('RepositoryName: ECR CreateRepository repositoryName pattern, 2-256 characters', () => {
  const accepted = [
    'ab',
    'a_b',
    'a__b',
    'a-b',
    'a--b',
    'a---b',
    'a.b',
    'team/app-image',
    'a.b_c-d/e',
    'a__b/c--d/e.f',
    'a/b/c',
    '0a',
    'x'.repeat(256),
    `${'a/'.repeat(127)}bc`,
  ];
  const refused = [
    'a',
    'x'.repeat(257),
    'App',
    'a___b',
    'a..b',
    'a._b',
    'a_-b',
    'a.-b',
    '_a',
    'a_',
    '-a',
    'a-',
    '.a',
    'a.',
    'team//app',
    '/ab',
    'ab/',
    'a/-b',
    'a-/b',
    'a b',
    'é1',
    '',
  ];

  test.each(accepted)('accepts %s at launch, at synth and in ECR', (name) => {
    expect(ecrAccepts(name)).toBe(true);
    expect(synthAccepts(() => validateRepositoryName(undefined, 'repositoryName', name))).toBe(true);
    expect(launchAccepts(PARAMETER_RULES.repositoryName, name)).toBe(true);
  });

  test.each(refused)('fails for %s at launch, at synth and in ECR', (name) => {
    expect(ecrAccepts(name)).toBe(false);
    expect(synthAccepts(() => validateRepositoryName(undefined, 'repositoryName', name))).toBe(false);
    expect(launchAccepts(PARAMETER_RULES.repositoryName, name)).toBe(false);
  });
});

describe('SourceBucket: S3 "General purpose bucket naming rules"', () => {
  const accepted = [
    'abc',
    'my-bucket',
    'a.b.c',
    'a-b.c-d',
    'a--b',
    // the page forbids two adjacent periods only (aws-cdk-lib's own check also refuses ".-" and "-.")
    'a.-b',
    'a-.b',
    '1bucket',
    'x'.repeat(63),
    // not formatted as an IP address: three or five groups, a letter, a group of four digits
    '192.168.5',
    '1.2.3.4.5',
    '192.168.5.4x',
    '1.2.3.4444',
    // the reserved prefixes and suffixes only where the page puts them
    'xn-a',
    'axn--b',
    'sthree',
    'amzn-s3-demo',
    'a-s3alias-b',
    'bucket-s3',
    'mrap',
    'bucket.mrapx',
    'bucket-x-s3',
    'bucket-table-s3',
  ];
  const refused = [
    'ab',
    'x'.repeat(64),
    'My-Bucket',
    'a_b',
    'a b',
    '-bucket',
    'bucket-',
    '.bucket',
    'bucket.',
    'a..b',
    'a...b',
    '192.168.5.4',
    '1.2.3.4',
    '999.999.999.999',
    'xn--bucket',
    'sthree-bucket',
    'sthree-configurator-x',
    'amzn-s3-demo-bucket',
    'bucket-s3alias',
    'bucket--ol-s3',
    'bucket.mrap',
    'bucket--x-s3',
    'bucket--table-s3',
  ];

  test.each(accepted)('accepts %s at launch and at synth', (name) => {
    expect(synthAccepts(() => validateBucketName(undefined, 'bucketName', name))).toBe(true);
    expect(launchAccepts(PARAMETER_RULES.bucketName, name)).toBe(true);
  });

  test.each(refused)('fails for %s at launch and at synth', (name) => {
    expect(synthAccepts(() => validateBucketName(undefined, 'bucketName', name))).toBe(false);
    expect(launchAccepts(PARAMETER_RULES.bucketName, name)).toBe(false);
  });

  test('skips tokens and undefined at synth (the launch checks deploy-time values)', () => {
    const token = new CfnParameter(new Stack(), 'Bucket').valueAsString;
    expect(() => validateBucketName(undefined, 'bucketName', token)).not.toThrow();
    expect(() => validateBucketName(undefined, 'bucketName', undefined)).not.toThrow();
    expect(() => validateObjectKey(undefined, 'sourceKey', token)).not.toThrow();
  });

  test('the synth-time errors name the rule', () => {
    expect(() => validateBucketName(undefined, 'bucketName', 'a..b')).toThrow(
      /^bucketName "a\.\.b" has two adjacent periods, which S3 refuses in bucket names: use 3-63 /,
    );
    expect(() => validateBucketName(undefined, 'bucketName', '10.0.0.1')).toThrow(/is formatted as an IP address/);
    expect(() => validateBucketName(undefined, 'bucketName', 'xn--abc')).toThrow(
      /starts with "xn--", a prefix S3 reserves: choose a name without it$/,
    );
    expect(() => validateBucketName(undefined, 'bucketName', 'abc--x-s3')).toThrow(
      /ends with "--x-s3", a suffix S3 reserves/,
    );
  });
});

describe('SourceKey: S3 "Naming Amazon S3 objects" (up to 1,024 bytes of UTF-8)', () => {
  const bytes = (key: string) => Buffer.byteLength(key, 'utf8');
  const accepted: Array<[string, string]> = [
    ['one ASCII character', 'a'],
    ['a path', 'sources/app.zip'],
    ['spaces and a 2-byte character', 'dir with spaces/ü.zip'],
    ['1,024 ASCII characters (1,024 bytes)', 'a'.repeat(1024)],
    ['512 two-byte characters (1,024 bytes)', 'é'.repeat(512)],
    ['341 three-byte characters (1,023 bytes)', '日'.repeat(341)],
    ['256 four-byte characters (1,024 bytes)', '😀'.repeat(256)],
  ];
  const refused: Array<[string, string]> = [
    ['an empty key', ''],
    ['1,025 ASCII characters', 'a'.repeat(1025)],
    ['513 two-byte characters (1,026 bytes)', 'é'.repeat(513)],
    ['342 three-byte characters (1,026 bytes)', '日'.repeat(342)],
    ['257 four-byte characters (1,028 bytes)', '😀'.repeat(257)],
    ['1,023 ASCII and one 2-byte character (1,025 bytes)', `${'a'.repeat(1023)}é`],
    ['1,024 ASCII and one 2-byte character (1,025 characters)', `${'a'.repeat(1024)}é`],
  ];
  // Keys within 1,024 bytes that the launch check refuses: a pattern cannot add up bytes, so it
  // bounds the characters by the widest one of the key.
  const stricterAtLaunch: Array<[string, string]> = [
    ['600 ASCII and one 2-byte character (602 bytes)', `${'a'.repeat(600)}é`],
    ['1,022 ASCII and one 2-byte character (1,024 bytes)', `${'a'.repeat(1022)}é`],
    ['341 three-byte characters and one ASCII (1,024 bytes)', `${'日'.repeat(341)}a`],
  ];

  test.each(accepted)('accepts %s at launch and at synth', (_what, key) => {
    expect(bytes(key)).toBeLessThanOrEqual(1024);
    expect(synthAccepts(() => validateObjectKey(undefined, 'sourceKey', key))).toBe(true);
    expect(launchAccepts(PARAMETER_RULES.objectKey, key)).toBe(true);
  });

  test.each(refused)('fails for %s at launch and at synth', (_what, key) => {
    expect(synthAccepts(() => validateObjectKey(undefined, 'sourceKey', key))).toBe(false);
    expect(launchAccepts(PARAMETER_RULES.objectKey, key)).toBe(false);
  });

  test.each(stricterAtLaunch)('the launch check is stricter for %s', (_what, key) => {
    expect(bytes(key)).toBeLessThanOrEqual(1024);
    expect(synthAccepts(() => validateObjectKey(undefined, 'sourceKey', key))).toBe(true);
    expect(launchAccepts(PARAMETER_RULES.objectKey, key)).toBe(false);
  });

  test('every key the launch check accepts fits in 1,024 bytes (mixed keys of every width)', () => {
    // a deterministic walk over keys of 1-4 byte characters, around each length bound
    const chars = ['a', '/', 'é', 'ж', '日', '한', '😀', '𝄞'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (const length of [1, 255, 256, 257, 340, 341, 342, 511, 512, 513, 1023, 1024]) {
      for (let i = 0; i < 20; i++) {
        const widest = chars.slice(0, 1 + (next() % chars.length));
        const key = Array.from({ length }, () => widest[next() % widest.length]).join('');
        if (launchAccepts(PARAMETER_RULES.objectKey, key)) {
          expect(bytes(key)).toBeLessThanOrEqual(1024);
          expect(synthAccepts(() => validateObjectKey(undefined, 'sourceKey', key))).toBe(true);
        }
      }
    }
  });

  test('a key that is too long is refused at synth in bytes, with the count', () => {
    expect(() => validateObjectKey(undefined, 'sourceKey', '日'.repeat(342))).toThrow(
      /^sourceKey "日+" takes 1,026 bytes in UTF-8 \(342 characters\), more than S3's limit of 1,024 bytes: use a shorter key/,
    );
  });

  test('the pattern holds no construct that CloudFormation (Java), JavaScript and Python read differently', () => {
    // no \x{...}, no \p{...}, no inline flags: \uXXXX escapes, classes and bounded repeats only
    expect(PARAMETER_RULES.objectKey.allowedPattern).not.toMatch(/\\x\{|\\p\{|\(\?[a-z]/);
    expect(() => new RegExp(PARAMETER_RULES.objectKey.allowedPattern)).not.toThrow();
    expect(() => new RegExp(PARAMETER_RULES.objectKey.allowedPattern, 'u')).not.toThrow();
  });
});

/** The Go the test machine has, when it is Go 1.26 (`go tool dist list` is then the reference). */
function goToolDistList(): { version: string; pairs: string[] } | undefined {
  for (const go of ['/usr/local/go/bin/go', 'go']) {
    try {
      if (go.startsWith('/') && !fs.existsSync(go)) {
        continue;
      }
      const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };
      const version = execFileSync(go, ['env', 'GOVERSION'], { env, encoding: 'utf-8' }).trim();
      const pairs = execFileSync(go, ['tool', 'dist', 'list'], { env, encoding: 'utf-8' }).split(/\s+/).filter(Boolean);
      return { version, pairs };
    } catch {
      // not there: try the next
    }
  }
  return undefined;
}

describe("TargetPlatform: the GOOS/GOARCH pairs of `go tool dist list` of the product's Go version", () => {
  test('every Go version a curated image carries has its list', () => {
    expect(Object.keys(GO_DIST_LISTS).sort()).toEqual(allCuratedGoVersions());
    expect(() => goPlatformRule('1.19')).toThrow(/no GOOS\/GOARCH list for Go 1\.19/);
  });

  const local = goToolDistList();
  const minor = local?.version.match(/^go(\d+\.\d+)/)?.[1];
  (minor !== undefined && GO_DIST_LISTS[minor] !== undefined ? test : test.skip)(
    `the list of the installed Go (${local?.version ?? 'none'}) is its \`go tool dist list\``,
    () => {
      expect([...GO_DIST_LISTS[minor!]].sort()).toEqual([...local!.pairs].sort());
    },
  );

  // `go tool dist list` of go1.26.8: windows/arm is gone ("go: unsupported GOOS/GOARCH pair
  // windows/arm"), freebsd/riscv64, openbsd/mips64 and linux/sparc64 are marked broken (listed by -broken only)
  test.each(['windows/arm', 'freebsd/riscv64', 'openbsd/mips64', 'linux/sparc64'])(
    'fails for %s with Go 1.26',
    (pair) => {
      expect(launchAccepts(goPlatformRule('1.26'), pair)).toBe(false);
    },
  );

  test.each(['linux/amd64', 'linux/arm64', 'windows/arm64', 'darwin/arm64', 'wasip1/wasm', 'openbsd/riscv64'])(
    'accepts %s with Go 1.26',
    (pair) => {
      expect(launchAccepts(goPlatformRule('1.26'), pair)).toBe(true);
    },
  );

  // `go tool dist list` of go1.20.14 ... go1.25.14 (GOTOOLCHAIN=go1.X.Y)
  test.each([
    ['1.23', 'windows/arm', true],
    ['1.24', 'windows/arm', false],
    ['1.25', 'freebsd/riscv64', true],
    ['1.20', 'openbsd/mips64', true],
    ['1.21', 'openbsd/mips64', false],
    ['1.20', 'wasip1/wasm', false],
    ['1.21', 'wasip1/wasm', true],
    ['1.21', 'openbsd/ppc64', false],
    ['1.22', 'openbsd/ppc64', true],
    ['1.22', 'openbsd/riscv64', false],
    ['1.23', 'openbsd/riscv64', true],
  ])('with Go %s, %s is offered: %s', (goVersion, pair, offered) => {
    expect(launchAccepts(goPlatformRule(goVersion), pair)).toBe(offered);
  });

  test.each(['linux/amd64 ', 'Linux/amd64', 'linux', 'linux/', 'linux/amd64/v3', 'linux-amd64', ''])(
    'fails for %j (only the exact pairs)',
    (value) => {
      expect(launchAccepts(goPlatformRule('1.26'), value)).toBe(false);
    },
  );

  test.each(Object.keys(GO_DIST_LISTS))(
    "every pair offered with Go %s passes GoSampleBuild's synth-time GOOS/GOARCH check",
    (goVersion) => {
      for (const pair of goPlatformsOf(goVersion)!) {
        const [goos, goarch] = pair.split('/');
        expect(isGoPlatform(goos, goarch)).toBe(true);
      }
    },
  );
});
