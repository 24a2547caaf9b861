/**
 * The Dockerfile, parsed and linted by BuildKit's own code (tools/dockerfile-check) as `docker build` would, without
 * a Docker engine; then what the image must be: Node 20 slim, npm install without install scripts, the build, a
 * non-root user, `convo worker` by default, and the `claude` binary where src/paths.ts looks for it.
 */
import { realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledBinaryPath as bundledClaudePath } from '../../src/activities/backends/claude/settings.js';
import { projectRoot } from '../../src/paths.js';
import { dockerfileCheck, type DockerfileReport } from '../helpers/go-tools.js';

const DOCKERFILE = join(projectRoot, 'Dockerfile');
let report: DockerfileReport;
beforeAll(async () => {
  const result = await dockerfileCheck(DOCKERFILE);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  report = result.report!;
}, 300_000); // the first run builds the checker (Go modules from the proxy)

test('parses with no linter warning; two stages on node:20-bookworm-slim', () => {
  expect(report.warnings).toEqual([]);
  expect(report.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
  for (const stage of report.stages)
    expect(stage.base.replace('${NODE_IMAGE}', report.args.NODE_IMAGE!)).toBe('node:20-bookworm-slim');
});

test('installs dependencies without install scripts, builds, and runs `convo worker` as a non-root user', () => {
  const [build, runtime] = [report.stages[0]!.commands, report.stages[1]!.commands];
  const npmInstalls = [...build, ...runtime].filter((c) => /^RUN .*npm (install|ci)\b/.test(c));
  expect(npmInstalls).toHaveLength(2);
  for (const c of npmInstalls) expect(c).toContain('--ignore-scripts');
  expect(runtime.find((c) => c.includes('npm install'))).toContain('--omit=dev');
  expect(build).toContain('RUN npm run build');
  expect(runtime).toContain('COPY --from=build /app/dist ./dist');
  // The last USER is not root, and nothing after it switches back.
  const users = runtime.filter((c) => c.startsWith('USER '));
  expect(users.at(-1)).toBe('USER node');
  expect(runtime.at(-2)).toBe('ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/convo.js"]');
  expect(runtime.at(-1)).toBe('CMD ["worker"]');
});

test('the image checks for the claude binary at the path the worker uses (the platform package, no postinstall needed)', () => {
  const runtime = report.stages[1]!.commands.join('\n');
  expect(runtime).toContain("test -x node_modules/@anthropic-ai/claude-code-linux-$(node -p 'process.arch')/claude");
  // On this Linux machine, that is the binary bundledClaudePath() finds.
  expect(process.platform).toBe('linux');
  const expected = join(projectRoot, 'node_modules', '@anthropic-ai', `claude-code-linux-${process.arch}`, 'claude');
  expect(realpathSync(bundledClaudePath()!)).toBe(realpathSync(expected));
});

test('the .dockerignore keeps node_modules, .tools, dist, .git and data out of the build context', async () => {
  const lines = (await readFile(join(projectRoot, '.dockerignore'), 'utf8'))
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  // Everything is ignored except what the Dockerfile copies.
  expect(lines).toEqual(['*', '!package.json', '!package-lock.json', '!tsconfig.json', '!src/', '!bin/']);
  const copied = report.stages
    .flatMap((s) => s.commands)
    .filter((c) => c.startsWith('COPY ') && !c.includes('--from='));
  // ...and everything the Dockerfile copies from the context is let in (files by name, folders with a slash).
  for (const c of copied) {
    for (const source of c.split(' ').slice(1, -1))
      expect(lines).toContain(source.includes('.') ? `!${source}` : `!${source}/`);
  }
});

test('the checker rejects a broken Dockerfile and reports lint problems, so the checks above can fail', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'convo-dockerfile-'));
  try {
    const original = await readFile(DOCKERFILE, 'utf8');
    await writeFile(
      join(dir, 'broken'),
      original.replace('WORKDIR /app\nCOPY package.json', 'WORKDIR /app\nCOPPY package.json'),
    );
    const broken = await dockerfileCheck(join(dir, 'broken'));
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr.trim()).toMatch(
      /^dockerfile-check: dockerfile parse error on line \d+: unknown instruction: COPPY/,
    );

    await writeFile(join(dir, 'linted'), original.replace('AS runtime', 'as runtime'));
    expect((await dockerfileCheck(join(dir, 'linted'))).report?.warnings).toEqual([
      "FromAsCasing: 'as' and 'FROM' keywords' casing do not match",
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
