// End-to-end tests of the abiguard dashboard (web/) in headless Chromium.
//
// Starts `abiguard serve` on a free loopback port over a temporary store
// seeded with Debian's lua 5.1, 5.3 and 5.4 (`abiguard add`) and the
// fixture libgeo 1.0-3.0 with two registered bindings (`abiguard push
// --binding`: the consumer program and the CPython extension), drives
// Debian's /usr/bin/chromium with playwright-core, asserts what each page
// shows and saves screenshots under tests/web/out/.
//
//   ABIGUARD=build/abiguard node --test tests/web/
//
// Environment: ABIGUARD (default <repo>/build/abiguard), CHROMIUM (default
// /usr/bin/chromium), WEB_OUT (default tests/web/out).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const ABIGUARD = path.resolve(REPO, process.env.ABIGUARD || 'build/abiguard');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = path.resolve(process.env.WEB_OUT || path.join(HERE, 'out'));
// The wheels `make fixtures` builds (tests/fixtures/audit/), audited and pushed for the audit pages.
const FIXTURES = path.resolve(process.env.FIXTURES || path.join(REPO, 'build', 'fixtures'));
const WHEEL_TAG = '-1.0-cp311-cp311-manylinux_2_17_x86_64.whl';
const LIBDIR = '/usr/lib/x86_64-linux-gnu';
const RELEASES = [
  ['5.1', 'liblua5.1.so.0', '2012-02-17'],
  ['5.3', 'liblua5.3.so.0', '2020-09-25'],
  ['5.4', 'liblua5.4.so.0', '2022-01-26'],
];
const REBUILD = [['5.3', 'liblua5.3.so.0'], ['5.4', 'liblua5.4.so.0'], ['5.4.1', 'liblua5.4.so.0']];
const MANY = 9;
const GEO = [['1.0', 'v1'], ['2.0', 'v2'], ['3.0', 'v3']];
const SOURCE_URL = 'https://src.example/geo/blob/{version}/{file}#L{line}';
const DEMO = [['1', 'pkg-v1.deb'], ['2', 'pkg-v2.deb']];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };

let tmp, server, serverLog = [], base, browser, pageErrors = [];

function startServer(db, tokens) {
  return new Promise((resolve, reject) => {
    const child = spawn(ABIGUARD, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', path.join(REPO, 'web'), '--token-file', tokens],
                        { stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('abiguard serve did not print its address within 20 s')); }, 20000);
    const rl = createInterface({ input: child.stderr });
    let first = true;
    rl.on('line', (line) => {
      serverLog.push(line);
      if (!first) return;
      first = false;
      clearTimeout(timer);
      const m = line.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({ child, url: m[1] });
      else { child.kill('SIGKILL'); reject(new Error('unexpected first stderr line from abiguard serve: ' + line)); }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      if (first) reject(new Error(`abiguard serve exited (${code ?? sig}) before listening:\n${serverLog.join('\n')}`));
    });
  });
}

before(async () => {
  assert.ok(existsSync(ABIGUARD), `no abiguard binary at ${ABIGUARD} (set ABIGUARD)`);
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  for (const [, so] of RELEASES) assert.ok(existsSync(path.join(LIBDIR, so)), `missing ${LIBDIR}/${so} (liblua5.x packages)`);
  mkdirSync(OUT, { recursive: true });
  tmp = mkdtempSync(path.join(tmpdir(), 'abiguard-web-'));
  const db = path.join(tmp, 'store.db');
  for (const [ver, so, date] of RELEASES) {
    execFileSync(ABIGUARD, ['add', path.join(LIBDIR, so), '--library', 'lua', '--version', ver, '--date', date, '--db', db],
                 { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // a library whose latest bump is identical (5.4 rebuilt as 5.4.1) after one that broke
  for (const [ver, so] of REBUILD) {
    execFileSync(ABIGUARD, ['add', path.join(LIBDIR, so), '--library', 'lua-rebuild', '--version', ver, '--db', db],
                 { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // releases of several binaries: the test-built .debs (two libraries each)
  for (const [ver, deb] of DEMO) {
    execFileSync(ABIGUARD, ['add', path.join(REPO, 'build', 'fixtures', 'artifacts', deb), '--library', 'demo', '--version', ver,
                            '--no-system-debug', '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // a library with more releases than a phone's width holds as matrix columns
  for (let i = 1; i <= MANY; i++) {
    execFileSync(ABIGUARD, ['add', path.join(LIBDIR, RELEASES[i % 3][1]), '--library', 'lua-many', '--version', '1.' + i, '--db', db],
                 { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // libgeo 1.0 and 2.0, and 3.0 with a source URL pattern
  for (const [ver, dir] of GEO) {
    const extra = ver === '3.0' ? ['--source-url', SOURCE_URL] : [];
    execFileSync(ABIGUARD, ['add', path.join(FIXTURES, 'bindings', dir, 'libgeo.so'), '--library', 'geo', '--version', ver,
                            '--db', db, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const tokens = path.join(tmp, 'tokens');
  writeFileSync(tokens, 'web-test-token\n');
  const s = await startServer(db, tokens);
  server = s.child; base = s.url;
  for (const [file, name, ver, built] of [['consumer', 'consumer', '0.1', 'geo@1.0'],
                                          ['geomod.cpython-311-x86_64-linux-gnu.so', 'geomod', '2.0', null]]) {
    execFileSync(ABIGUARD, ['push', path.join(FIXTURES, 'bindings', file), '--binding', name, '--library', 'geo', '--version', ver,
                            '--server', base, '--token-file', tokens, ...(built ? ['--built-against', built] : [])],
                 { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // the libgeo consumer registered against demo, whose releases (two libraries each) have no libgeo.so.1
  execFileSync(ABIGUARD, ['push', path.join(FIXTURES, 'bindings', 'consumer'), '--binding', 'consumer', '--library', 'demo',
                          '--version', '0.1', '--server', base, '--token-file', tokens],
               { stdio: ['ignore', 'ignore', 'inherit'] });
  // two audits pushed as CI would: the good demo wheel (audit 1), one whose dependency is missing (audit 2)
  for (const name of ['demo', 'demo_missingdep']) {
    const whl = path.join(FIXTURES, 'audit', name + WHEEL_TAG);
    assert.ok(existsSync(whl), `missing ${whl} (make fixtures)`);
    try {
      execFileSync(ABIGUARD, ['audit', whl, '--push', base, '--token-file', tokens], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      assert.ok(e.status === 12, `audit --push ${name}: ${e.status} ${e.stderr}`);
    }
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    const t = setTimeout(() => server.kill('SIGKILL'), 5000);
    await exited; clearTimeout(t);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(hash, viewport = DESKTOP) {
  const ctx = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${hash}: ${e.message}`));
  // the dashboard must not reach anything but its own origin
  await page.route('**/*', (route) => route.request().url().startsWith(base) || route.request().url().startsWith('data:')
    ? route.continue() : route.abort());
  await page.goto(base + '/' + hash);
  return page;
}

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: path.join(OUT, name + '.png'), fullPage });
}

async function noHorizontalOverflow(page) {
  const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(sw <= cw + 1, `page is ${sw}px wide in a ${cw}px viewport (horizontal overflow)`);
}

test('libraries: lua with its latest release 5.4 and the word "breaking"', async () => {
  const page = await open('#/');
  const row = page.locator('table.libraries tbody tr', { has: page.locator('a', { hasText: /^lua$/ }) });
  await row.waitFor();
  const cells = await row.locator('th, td').allInnerTexts();
  assert.equal(cells[0], 'lua');
  assert.match(cells[1], /breaking/);
  assert.match(cells[2], /breaking/);
  assert.equal(cells[3], '5.4');
  assert.equal(cells[4], '3');
  assert.equal(cells[5], '2022-01-26');
  assert.match(cells[6], /liblua5\.4\.so\.0/);
  assert.equal(await page.title(), 'Libraries — abiguard');
  await shot(page, 'libraries');
  await page.context().close();
});

test('the footer names the store being served (store.db), not its directory', async () => {
  const page = await open('#/');
  const el = page.locator('#served-store');
  await el.filter({ hasText: /Store: / }).waitFor();
  const text = await el.innerText();
  assert.match(text, /^Store: store\.db · abiguard \d/);
  assert.ok(!text.includes(tmp), `the footer shows the server's path: ${text}`);
  await page.context().close();
});

test('timeline: three releases with verdict words, and the SVG chart', async () => {
  const page = await open('#/lib/lua');
  const rows = page.locator('table.timeline tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 3);
  const versions = await rows.locator('th').allInnerTexts();
  assert.deepEqual(versions, ['5.1', '5.3', '5.4']);
  const verdicts = await rows.locator('.verdict').allInnerTexts();
  assert.match(verdicts[0], /first release/);
  assert.match(verdicts[1], /✖\s*breaking/);
  assert.match(verdicts[2], /✖\s*breaking/);
  const r54 = await rows.nth(2).locator('th, td').allInnerTexts();
  assert.match(r54[1], /breaking/);
  assert.equal(r54[2], '5.3 → 5.4');
  assert.equal(r54[3], '2022-01-26');
  assert.match(r54[4], /liblua5\.4\.so\.0/);
  assert.match(r54[5], /^\+\d+/); assert.match(r54[6], /^−\d+/); assert.match(r54[7], /^~\d+/);
  const nb = await rows.nth(2).locator('td.by-verdict [data-verdict="breaking"]').innerText();
  assert.ok(Number(nb.replace(/\D/g, '')) > 0, 'some breaking changes 5.3 -> 5.4');
  assert.ok(await rows.nth(2).evaluate((tr) => tr.classList.contains('row-v-breaking')));
  // chart: stacked bars with breaking segments and the changed-functions line
  const svg = page.locator('svg.chart');
  assert.equal(await svg.count(), 1);
  assert.ok(await svg.locator('rect.seg.v-breaking').count() >= 2);
  assert.equal(await svg.locator('polyline.fline').count(), 1);
  assert.match(await svg.locator('title').first().textContent(), /lua/);
  assert.deepEqual(await svg.locator('text.xlabel').allTextContents(), ['5.1', '5.3', '5.4']);
  await shot(page, 'timeline');
  await page.context().close();
});

test('matrix: nine cells, labelled BREAK off the diagonal', async () => {
  const page = await open('#/lib/lua/matrix');
  const cells = page.locator('table.matrix td.cell');
  await cells.first().waitFor();
  assert.equal(await cells.count(), 9);
  const cols = await page.locator('table.matrix thead th').allInnerTexts();
  assert.deepEqual(cols.slice(1), ['5.1', '5.3', '5.4']);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const cell = page.locator('table.matrix tbody tr').nth(i).locator('td').nth(j);
      const text = await cell.textContent();
      if (i === j) assert.match(text, /same release/);
      else {
        assert.match(text, /BREAK/, `cell ${i},${j}`);
        assert.match(text, /✖/);
        assert.match(await cell.locator('a').getAttribute('aria-label'), /breaking/);
      }
    }
  }
  // a cell links to its diff
  const href = await page.locator('table.matrix tbody tr').nth(0).locator('td').nth(2).locator('a').getAttribute('href');
  assert.equal(href, '#/lib/lua/diff?old=5.1&new=5.4');
  await shot(page, 'matrix');
  await page.context().close();
});

test('diff 5.3 -> 5.4: grouped by verdict, soname-changed, impacted paths, JSON link', async () => {
  const page = await open('#/lib/lua/diff?old=5.3&new=5.4');
  await page.locator('section.diff').waitFor();
  assert.equal(await page.locator('select#old').inputValue(), '5.3');
  assert.equal(await page.locator('select#new').inputValue(), '5.4');
  assert.match(await page.locator('#diff-h').innerText(), /5\.3 → 5\.4: ✖ breaking/);
  const groups = await page.locator('section.group h3').allInnerTexts();
  assert.match(groups[0], /breaking \(\d+\)/);
  const main = await page.locator('main').textContent();
  assert.match(main, /soname-changed/);
  assert.match(main, /liblua5\.3\.so\.0/);
  const paths = await page.locator('code.path').allTextContents();
  assert.ok(paths.some((p) => p.includes('->')), 'an impacted path through types ("->")');
  // the JSON link is the API's diff and returns abiguard-diff/1
  const link = page.locator('a.json-link');
  const href = await link.getAttribute('href');
  assert.match(href, /^\/api\/v1\/diff\?old=lua(%40|@)5\.3&new=lua(%40|@)5\.4$/);
  const resp = await page.request.get(base + href);
  assert.equal(resp.status(), 200);
  const json = await resp.json();
  assert.equal(json.format, 'abiguard-diff/1');
  assert.equal(json.verdict, 'breaking');
  assert.equal(await page.locator('li.change').count(), json.changes.length);
  await shot(page, 'diff', false);
  // choosing two other releases with the selects
  await page.selectOption('select#old', '5.1');
  await page.getByRole('button', { name: 'Compare' }).click();
  await page.waitForURL(/old=5\.1&new=5\.4/);
  await page.locator('#diff-h', { hasText: '5.1 → 5.4' }).waitFor();
  await page.context().close();
});

test('release of several binaries: each with its path, SONAME, build-id and counts, and its own diff', async () => {
  const page = await open('#/lib/demo/release/2');
  await page.locator('table.binaries').waitFor();
  const rows = page.locator('table.binaries tbody tr');
  assert.equal(await rows.count(), 2);
  const first = await rows.nth(0).locator('th, td').allInnerTexts();
  assert.equal(first[0], 'libarray_dimension_changed.so.1');
  assert.equal(first[1], 'usr/lib/x86_64-linux-gnu/libarray_dimension_changed.so.1');
  assert.match(first[2], /^[0-9a-f]{40}$/);
  assert.deepEqual(first.slice(3, 6), ['1', '0', '3']);
  assert.equal(first[6], '1 → 2');
  const second = await rows.nth(1).locator('th, td').allInnerTexts();
  assert.equal(second[0], 'libtypes.so.1');
  assert.equal(second[6], 'new in 2');
  assert.match(await page.locator('p.removed-binaries').innerText(), /libversioned\.so\.2/);
  await shot(page, 'release');
  // the binary's own diff, against the same SONAME in release 1
  await rows.nth(0).locator('a').click();
  await page.waitForURL(/old=1%3Alibarray_dimension_changed\.so\.1&new=2%3Alibarray_dimension_changed\.so\.1/);
  await page.locator('section.diff li.change').first().waitFor();
  assert.match(await page.locator('#diff-h').innerText(), /breaking/);
  assert.match(await page.locator('main').textContent(), /array-dimension-changed/);
  // the timeline links each version to its release
  await page.goto(base + '/#/lib/demo');
  await page.locator('table.timeline th a', { hasText: /^2$/ }).click();
  await page.locator('table.binaries').waitFor();
  await page.context().close();
});

test('diff of two releases of several binaries: one verdict, a row per binary pair, each linked', async () => {
  const page = await open('#/lib/demo/diff?old=1&new=2');
  await page.locator('table.release-pairs').waitFor();
  assert.match(await page.locator('#diff-h').innerText(), /1 → 2: ✖ breaking/);
  const rows = await page.locator('table.release-pairs tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.innerText.trim())));
  assert.deepEqual(rows.map((r) => [r[0], r[1]]), [['libarray_dimension_changed.so.1', 'diffed'],
    ['libversioned.so.2', 'removed'], ['libtypes.so.1', 'added']]);
  assert.match(rows[1][2], /breaking/);
  assert.match(rows[2][2], /compatible/);
  assert.equal(await page.locator('table.release-pairs a').count(), 1, 'only a diffed pair has a diff of its own');
  const href = await page.locator('a.json-link').getAttribute('href');
  const json = await (await page.request.get(base + href)).json();
  assert.equal(json.format, 'abiguard-release-diff/1');
  assert.equal(json.verdict, 'breaking');
  await shot(page, 'release-diff');
  await page.context().close();
});

test('layout: struct lua_Debug side by side in 5.3 and 5.4, offsets, holes, differences', async () => {
  const page = await open('#/lib/lua/layout?type=struct%20lua_Debug&a=5.3&b=5.4');
  const tables = page.locator('table.layout-table');
  await tables.nth(1).waitFor();
  assert.equal(await page.locator('select#type').inputValue(), 'struct lua_Debug');
  const rowsOf = async (i) => tables.nth(i).locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ cls: tr.className, cells: [...tr.children].map((c) => c.textContent.trim()) })));
  const a = await rowsOf(0), b = await rowsOf(1);
  const member = (rows, n) => rows.find((r) => r.cells[2] === n);
  assert.deepEqual(member(a, 'event').cells.slice(0, 2), ['0', '4']);
  assert.deepEqual(member(a, 'name').cells.slice(0, 2), ['8', '8']);
  assert.ok(a.some((r) => r.cls === 'hole' && /hole: 4 bytes/.test(r.cells[2])), 'a hole in 5.3');
  assert.ok(b.some((r) => r.cls === 'hole'), 'a hole in 5.4');
  assert.equal(member(a, 'srclen'), undefined);
  assert.match(member(b, 'srclen').cells[3], /not in 5\.3/);
  // i_ci moved 120 -> 128: each side shows its own offset and names the
  // other release's value, never the other side's number as its own
  assert.equal(member(a, 'i_ci').cells[0], '120');
  assert.equal(member(b, 'i_ci').cells[0], '128');
  assert.equal(member(a, 'i_ci').cells[3], '▲ at 128 in 5.4');
  assert.equal(member(b, 'i_ci').cells[3], '▲ at 120 in 5.3');
  for (const [rows, own] of [[a, '5.3'], [b, '5.4']]) {
    for (const r of rows.filter((x) => x.cls === 'differs')) assert.doesNotMatch(r.cells[3], new RegExp('in ' + own.replace('.', '\\.') + '\\b'));
  }
  assert.equal(member(b, 'event').cls, '');
  assert.ok(b.filter((r) => r.cls === 'differs').length >= 5);
  const meta = await page.locator('.layout .meta').allInnerTexts();
  assert.match(meta[0], /size 128/); assert.match(meta[1], /size 136/);
  await shot(page, 'layout');
  await page.context().close();
});

test('errors from the API are shown as a message', async () => {
  const page = await open('#/lib/no-such-lib');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, /404/);
  assert.ok(text.replace(/Error 404:/, '').trim().length > 3, 'the error body\'s message is shown');
  await page.context().close();
});

test('keyboard: skip link, Tab to a library link, Enter navigates', async () => {
  const page = await open('#/');
  await page.locator('table.libraries').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  let found = false;
  for (let i = 0; i < 25 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement.matches('table.libraries a') && document.activeElement.textContent === 'lua');
  }
  assert.ok(found, 'Tab reaches the "lua" link');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'visible focus style');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/lib\/lua$/);
  await page.locator('table.timeline').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1', 'focus moves to the new heading');
  // library views are reachable as links, in order
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Timeline');
  await page.keyboard.press('Tab'); await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Compatibility matrix');
  await page.keyboard.press('Enter');
  await page.locator('table.matrix').waitFor();
  assert.match(page.url(), /#\/lib\/lua\/matrix$/);
  await page.context().close();
});

const PAGES = [['libraries', '#/', 'table.libraries'], ['timeline', '#/lib/lua', 'table.timeline'],
               ['diff', '#/lib/lua/diff?old=5.3&new=5.4', 'li.change'], ['matrix', '#/lib/lua/matrix', 'table.matrix'],
               ['layout', '#/lib/lua/layout?type=struct%20lua_Debug&a=5.3&b=5.4', 'table.layout-table'],
               ['matrix-many', '#/lib/lua-many/matrix', '.matrix-view'],
               ['timeline-bindings', '#/lib/geo', 'table.bindings-table'],
               ['binding', '#/lib/geo/binding/consumer/0.1', 'table.binding-matrix'],
               ['diff-binding', '#/lib/geo/diff?old=1.0&new=3.0&binding=geomod%402.0', 'li.change'],
               ['audits', '#/audits', 'table.audits'], ['audit', '#/audits/2', 'table.audit-matrix'],
               ['release', '#/lib/demo/release/2', 'table.binaries'], ['release-diff', '#/lib/demo/diff?old=1&new=2', 'table.release-pairs']];

// Nothing is clipped: neither the page nor any table or chart scrolls
// sideways (a scrolled table hides its last columns), and every verdict
// badge lies inside the viewport.
async function nothingClipped(page, name) {
  await noHorizontalOverflow(page);
  const clipped = await page.evaluate(() => [...document.querySelectorAll('.table-wrap, .chart-scroll')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => `${e.getAttribute('aria-label') || e.className}: ${e.scrollWidth}px in ${e.clientWidth}px`));
  assert.deepEqual(clipped, [], `${name}: clipped`);
  const outside = await page.evaluate(() => [...document.querySelectorAll('main .verdict')]
    .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.left < 0 || r.right > document.documentElement.clientWidth + 1); })
    .map((e) => e.textContent));
  assert.deepEqual(outside, [], `${name}: verdicts off-screen`);
}

for (const [vpName, vp] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`${vpName} viewport (${vp.width}x${vp.height}): no page, table or chart is clipped; screenshots`, async () => {
    for (const [name, hash, sel] of PAGES) {
      const page = await open(hash, vp);
      await page.locator(sel).first().waitFor();
      await nothingClipped(page, `${name} at ${vp.width}px`);
      if (name === 'timeline') {
        // chart labels are drawn at their size, never scaled below legible
        const px = await page.locator('svg.chart text.xlabel').first().evaluate((t) => t.getBoundingClientRect().height);
        assert.ok(px >= 10, `chart labels ${px}px high at ${vp.width}px`);
      }
      await shot(page, (vpName === 'phone' ? 'phone-' : 'desktop-') + name, name !== 'diff');
      await page.context().close();
    }
  });
}

test('accessibility: axe-core finds no serious or critical violation on any page', async () => {
  const axePath = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
  for (const vp of [DESKTOP, PHONE]) {
    for (const [name, hash, sel] of PAGES) {
      const page = await open(hash, vp);
      await page.locator(sel).first().waitFor();
      await page.addScriptTag({ path: axePath });
      const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(bad, [], `${name} at ${vp.width}px`);
      await page.context().close();
    }
  }
});

// --- the diff page: filters, permalinks, impacted lists, pagination

async function diffJson(page, o, n) {
  const r = await page.request.get(`${base}/api/v1/diff?old=lua%40${o}&new=lua%40${n}`);
  assert.equal(r.status(), 200);
  return r.json();
}

test('diff filters: verdict, kind, area and name change the list, the counts and the URL', async () => {
  const page = await open('#/lib/lua/diff?old=5.3&new=5.4');
  await page.locator('li.change').first().waitFor();
  const json = await diffJson(page, '5.3', '5.4');
  const all = json.changes.length;
  const nBreaking = json.changes.filter((c) => c.verdict === 'breaking' && !c.suppressed).length;
  assert.ok(nBreaking > 0 && nBreaking < all);
  assert.match(await page.locator('p.shown').innerText(), new RegExp(`Showing all ${all} changes`));
  assert.match(await page.locator('label[for="f-v-breaking"]').innerText(), new RegExp(`\\(${nBreaking}\\)`));

  await page.check('#f-v-breaking');
  await page.waitForURL(/verdict=breaking/);
  assert.equal(await page.locator('li.change').count(), nBreaking);
  assert.equal(await page.locator('li.change:not(.row-v-breaking)').count(), 0);
  assert.match(await page.locator('p.shown').innerText(), new RegExp(`Showing ${nBreaking} of ${all} changes`));
  // kind counts follow the verdict filter
  const nOffset = json.changes.filter((c) => c.verdict === 'breaking' && c.id === 'struct-member-offset-changed').length;
  assert.ok(nOffset > 0);
  assert.match(await page.locator('#f-kind option[value="struct-member-offset-changed"]').innerText(), new RegExp(`\\(${nOffset}\\)`));
  const nAdded = await page.locator('#f-kind option[value="fn-added"]').innerText();
  assert.match(nAdded, /\(0\)/, 'no breaking fn-added');

  await page.selectOption('#f-kind', 'struct-member-offset-changed');
  await page.waitForURL(/kind=struct-member-offset-changed/);
  assert.equal(await page.locator('li.change').count(), nOffset);

  // the name box: a member's name
  await page.fill('#f-q', 'i_ci');
  await page.waitForURL(/q=i_ci/);
  const subjects = await page.locator('li.change .subject').allTextContents();
  assert.deepEqual(subjects, ['struct lua_Debug::i_ci']);

  // the filtered view as a link: a fresh page shows the same
  const url = page.url();
  await page.context().close();
  const again = await open(url.slice(base.length + 1));
  await again.locator('li.change').first().waitFor();
  assert.deepEqual(await again.locator('li.change .subject').allTextContents(), ['struct lua_Debug::i_ci']);
  assert.ok(await again.locator('#f-v-breaking').isChecked());
  assert.equal(await again.locator('#f-kind').inputValue(), 'struct-member-offset-changed');
  assert.equal(await again.locator('#f-q').inputValue(), 'i_ci');
  // area filter, after clearing
  await again.getByRole('button', { name: 'Clear filters' }).click();
  assert.equal(await again.locator('li.change').count(), all);
  const nSymbols = json.changes.filter((c) => c.area === 'symbols').length;
  await again.selectOption('#f-area', 'symbols');
  await again.waitForURL(/area=symbols/);
  assert.equal(await again.locator('li.change').count(), nSymbols);
  await again.fill('#f-q', 'no-such-name-anywhere');
  assert.equal(await again.locator('li.change').count(), 0);
  await again.getByText('No change matches these filters.').waitFor();
  await again.context().close();
});

test('diff "hide private/opaque": on by default; off, the changes inside private types appear, marked', async () => {
  const page = await open('#/lib/lua/diff?old=5.3&new=5.4');
  await page.locator('li.change').first().waitFor();
  const json = await diffJson(page, '5.3', '5.4');
  const priv = json.surface.private_changes;
  assert.ok(priv > 0, 'lua 5.3 -> 5.4 has changes inside private types');
  assert.ok(await page.locator('#f-private').isChecked());
  assert.match(await page.locator('label[for="f-private"]').innerText(), new RegExp(`\\(${priv}\\)`));
  assert.equal(await page.locator('li.change').count(), json.changes.length);
  assert.equal(await page.locator('.tag.private').count(), 0);
  await page.uncheck('#f-private');
  await page.waitForURL(/private=1/);
  await page.locator('.tag.private').first().waitFor();
  const all = json.changes.length + priv;
  assert.match(await page.locator('p.shown').innerText(), new RegExp(`Showing all ${all} changes`));
  // 50 to a page: count over the pages
  let seen = 0, privSeen = 0;
  for (;;) {
    seen += await page.locator('li.change').count();
    privSeen += await page.locator('li.change .tag.private').count();
    const next = page.locator('.pager').first().getByRole('button', { name: /Next/ });
    if (!(await next.count()) || await next.isDisabled()) break;
    await next.click();
  }
  assert.equal(seen, all);
  assert.equal(privSeen, priv);
  // the API's report with them, and the default one still without
  const withPriv = await (await page.request.get(`${base}/api/v1/diff?old=lua%405.3&new=lua%405.4&private=1`)).json();
  assert.equal(withPriv.surface.left_out.length, priv);
  assert.equal((await diffJson(page, '5.3', '5.4')).surface.left_out, undefined);
  await page.context().close();
});

test('diff permalinks: every change has an anchor; a permalink scrolls to its change', async () => {
  const page = await open('#/lib/lua/diff?old=5.3&new=5.4', { width: 1280, height: 700 });
  await page.locator('li.change').first().waitFor();
  const ids = await page.locator('li.change').evaluateAll((lis) => lis.map((li) => li.id));
  assert.ok(ids.every((id) => /^c-/.test(id)), 'every change has an id');
  assert.equal(new Set(ids).size, ids.length, 'anchors are unique');
  const late = page.locator('li.change').nth(ids.length - 3);
  const href = await late.locator('a.permalink').getAttribute('href');
  assert.match(href, new RegExp(`change=${ids[ids.length - 3]}$`));
  await page.context().close();
  // opened anew, with a filter in the URL that would hide it
  const p2 = await open(href.replace('diff?', 'diff?verdict=breaking&'), { width: 1280, height: 700 });
  const target = p2.locator('#' + ids[ids.length - 3]);
  await target.waitFor();
  await p2.waitForFunction((id) => { const r = document.getElementById(id).getBoundingClientRect(); return r.top >= 0 && r.top < 200; }, ids[ids.length - 3]);
  assert.ok(await target.evaluate((el) => el.classList.contains('targeted') && document.activeElement === el));
  assert.ok(await p2.evaluate(() => window.scrollY > 500), 'the page scrolled down to it');
  await p2.context().close();
});

test('diff impacted interfaces: the first three, shortest path first; the rest on demand', async () => {
  const page = await open('#/lib/lua/diff?old=5.3&new=5.4&kind=struct-member-offset-changed&q=i_ci');
  const li = page.locator('li.change').first();
  await li.waitFor();
  const json = await diffJson(page, '5.3', '5.4');
  const ch = json.changes.find((c) => c.subject === 'struct lua_Debug::i_ci');
  assert.ok(ch.impacted.length > 3);
  const shown = await li.locator('ul.impacted').first().locator('code.path').allTextContents();
  assert.equal(shown.length, 3);
  const lens = ch.impacted.map((x) => x.path.length).sort((a, b) => a - b);
  assert.deepEqual(shown.map((x) => x.length), lens.slice(0, 3));
  const more = li.locator('details.impacted-more');
  assert.match(await more.locator('summary').innerText(), new RegExp(`${ch.impacted.length - 3} more`));
  await more.locator('summary').click();
  // (the rest is rendered when the details open: wait for its last one)
  await li.locator('code.path').nth(ch.impacted.length - 1).waitFor();
  assert.equal(await li.locator('code.path').count(), ch.impacted.length);
  await page.context().close();
});

test('diff of 1,000 changes: 50 to a page, paging and filters in the URL', async () => {
  const verdicts = ['breaking', 'risky', 'compatible'];
  const big = {
    format: 'abiguard-diff/1', verdict: 'breaking', suppressed: 0,
    counts: { breaking: 334, 'api-break': 0, risky: 333, compatible: 333, harmless: 0 },
    interfaces: {},
    changes: Array.from({ length: 1000 }, (_, i) => ({
      id: i % 2 ? 'fn-removed' : 'struct-member-removed', verdict: verdicts[i % 3], area: i % 2 ? 'symbols' : 'types',
      subject: `sym_${String(i).padStart(4, '0')}`, suppressed: false, why: 'synthetic',
      impacted: Array.from({ length: 20 }, (_, k) => ({ interface: `f${k}`, path: `f${k}() -> sym_${i}` })),
    })),
  };
  const page = await open('#/');
  await page.route('**/api/v1/diff?*', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(big) }));
  await page.goto(base + '/#/lib/lua/diff?old=5.3&new=5.4');
  await page.locator('li.change').first().waitFor();
  assert.equal(await page.locator('li.change').count(), 50);
  assert.equal(await page.locator('code.path').count(), 150, 'three impacted interfaces per change rendered');
  assert.match(await page.locator('.pager .page-of').first().innerText(), /Page 1 of 20/);
  await page.locator('.pager').first().getByRole('button', { name: /Next/ }).click();
  await page.waitForURL(/page=2/);
  // breaking first (every third change), so page 2 begins at the 51st breaking one
  assert.equal(await page.locator('li.change .subject').first().textContent(), 'sym_0150');
  await page.check('#f-v-risky');
  await page.waitForURL(/verdict=risky/);
  assert.doesNotMatch(page.url(), /page=/, 'a new filter starts at page 1');
  assert.match(await page.locator('p.shown').innerText(), /Showing 333 of 1000 changes/);
  assert.match(await page.locator('.pager .page-of').first().innerText(), /Page 1 of 7/);
  await page.fill('#f-q', 'sym_0997');
  assert.equal(await page.locator('li.change').count(), 1);
  await page.context().close();
});

// --- timeline and libraries: compatibility figure, worst recent verdict, first release size

// The share of old's exported interfaces (distinct names of its exported
// functions and objects) no breaking change impacts, from the API's own diff
// and corpus: computed here independently of the service.
async function expectedCompat(page, lib, o, n) {
  const corpus = await (await page.request.get(`${base}/api/v1/libraries/${lib}/releases/${o}/corpus`)).json();
  const names = new Set(corpus.exports.filter((e) => ['func', 'object', 'ifunc', 'tls'].includes(e.type)).map((e) => e.name));
  const d = await (await page.request.get(`${base}/api/v1/diff?old=${lib}%40${o}&new=${lib}%40${n}`)).json();
  const hit = new Set();
  for (const c of d.changes) {
    if (c.verdict !== 'breaking' || c.suppressed) continue;
    if (c.impacted.length) c.impacted.forEach((x) => names.has(x.interface) && hit.add(x.interface));
    else { const s = c.subject.split(/[(@]/)[0]; if (names.has(s)) hit.add(s); }
  }
  return { interfaces: names.size, not_impacted: names.size - hit.size };
}

test('timeline: backward-compatibility figure per release, the first release\'s size', async () => {
  const page = await open('#/lib/lua-rebuild');
  const rows = page.locator('table.timeline tbody tr');
  await rows.first().waitFor();
  const hist = await (await page.request.get(`${base}/api/v1/libraries/lua-rebuild/history`)).json();
  assert.equal(hist[0].compatibility, null);
  for (const [i, o, n] of [[1, '5.3', '5.4'], [2, '5.4', '5.4.1']]) {
    const want = await expectedCompat(page, 'lua-rebuild', o, n);
    assert.equal(hist[i].compatibility.interfaces, want.interfaces, `${o} -> ${n} interfaces`);
    assert.equal(hist[i].compatibility.not_impacted, want.not_impacted, `${o} -> ${n} not impacted`);
  }
  assert.equal(hist[2].compatibility.percent, 100, 'a rebuild of the same file is fully compatible');
  assert.ok(hist[1].compatibility.not_impacted < hist[1].compatibility.interfaces, '5.3 -> 5.4 impacts some');
  const cells = await rows.locator('td.compat').allInnerTexts();
  assert.equal(cells[0], '—');
  assert.equal(cells[2], '100%');
  const p1 = hist[1].compatibility.percent;
  assert.equal(cells[1], (p1 === 0 || p1 === 100 ? String(p1) : p1.toFixed(1)) + '%');
  assert.match(await rows.nth(2).locator('td.compat').getAttribute('title'), /of \d+ interfaces of 5\.4 not impacted/);
  // the first release shows its size, not +0 -0 ~0
  const first = await rows.nth(0).innerText();
  assert.doesNotMatch(first, /\+0|−0|~0/);
  assert.match(first, new RegExp(`${hist[0].size.functions} functions, ${hist[0].size.variables} variables?, ${hist[0].size.types} types`));
  assert.ok(hist[0].size.functions > 100);
  await page.context().close();
});

test('libraries: the worst verdict of the recent bumps next to the latest one', async () => {
  const page = await open('#/');
  const row = page.locator('table.libraries tbody tr', { has: page.locator('a', { hasText: /^lua-rebuild$/ }) });
  await row.waitFor();
  const cells = await row.locator('th, td').allInnerTexts();
  assert.match(cells[1], /none/, 'the latest bump 5.4 -> 5.4.1 changed nothing');
  assert.match(cells[2], /breaking/, 'but 5.3 -> 5.4 broke');
  assert.equal(await row.locator('a.pair').getAttribute('href'), '#/lib/lua-rebuild/diff?old=5.3&new=5.4');
  const libs = await (await page.request.get(`${base}/api/v1/libraries`)).json();
  assert.deepEqual(libs.find((l) => l.name === 'lua-rebuild').recent, { pairs: 2, verdict: 'breaking', old: '5.3', new: '5.4' });
  const one = await (await page.request.get(`${base}/api/v1/libraries?recent=1`)).json();
  assert.deepEqual(one.find((l) => l.name === 'lua-rebuild').recent, { pairs: 1, verdict: 'none', old: '5.4', new: '5.4.1' });
  assert.equal((await page.request.get(`${base}/api/v1/libraries?recent=0`)).status(), 400);
  assert.equal((await page.request.get(`${base}/api/v1/libraries?recent=x`)).status(), 400);
  await page.context().close();
});

test('matrix of 9 releases: the table on a desktop; on a phone one card per release, nothing cut', async () => {
  const desk = await open('#/lib/lua-many/matrix', DESKTOP);
  await desk.locator('table.matrix').waitFor();
  assert.equal(await desk.locator('table.matrix tbody tr').count(), MANY);
  assert.equal(await desk.locator('.matrix-cards').isVisible(), false);
  await desk.context().close();
  const phone = await open('#/lib/lua-many/matrix', PHONE);
  await phone.locator('.matrix-cards').waitFor();
  assert.equal(await phone.locator('table.matrix').isVisible(), false, 'the wide table is not shown on a phone');
  assert.equal(await phone.locator('section.matrix-card').count(), MANY);
  assert.equal(await phone.locator('section.matrix-card').first().locator('li.cell').count(), MANY - 1);
  const outside = await phone.evaluate(() => [...document.querySelectorAll('li.cell')]
    .filter((e) => { const r = e.getBoundingClientRect(); return r.right > document.documentElement.clientWidth + 1; }).length);
  assert.equal(outside, 0, 'matrix cells cut at the right edge');
  // a card's cell says the verdict in words and links to its diff
  const a = phone.locator('section.matrix-card').first().locator('li.cell a').first();
  assert.match(await a.getAttribute('aria-label'), /^built against 1\.1, running with 1\.2: \w/);
  assert.match(await a.getAttribute('href'), /^#\/lib\/lua-many\/diff\?old=1\.1&new=1\.2$/);
  await noHorizontalOverflow(phone);
  await shot(phone, 'phone-matrix-many');
  await phone.context().close();
});

// --- registered bindings ("for whom") and source links

test('timeline: the registered bindings, and per release whether each is affected', async () => {
  const page = await open('#/lib/geo');
  const table = page.locator('table.bindings-table');
  await table.waitFor();
  const heads = await table.locator('thead th').allInnerTexts();
  assert.deepEqual(heads, ['Release', 'consumer 0.1', 'geomod 2.0']);
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  assert.deepEqual(rows.map((r) => r[0]), ['1.0', '2.0', '3.0']);
  assert.match(rows[0][1], /none/);
  assert.match(rows[2][1], /breaking/);
  assert.match(rows[2][2], /breaking/);
  // each verdict links to the binding's page at that release
  const href = await table.locator('tbody tr').nth(2).locator('a').first().getAttribute('href');
  assert.equal(href, '#/lib/geo/binding/consumer/0.1?release=3.0');
  await page.context().close();
});

test('binding page: its own matrix says which releases it can run with, and why', async () => {
  const page = await open('#/lib/geo/binding/consumer/0.1?release=3.0');
  const table = page.locator('table.binding-matrix');
  await table.waitFor();
  assert.equal(await page.title(), 'Binding consumer 0.1 of geo — abiguard');
  const verdicts = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
  assert.equal(verdicts.length, 3);
  // what `abiguard check` says of the consumer against each release
  const api = await (await page.request.get(`${base}/api/v1/libraries/geo/bindings/consumer/0.1`)).json();
  api.matrix.forEach((r, i) => assert.match(verdicts[i], new RegExp(r.verdict)));
  assert.equal(api.matrix[0].verdict, 'none');
  assert.equal(api.matrix[2].verdict, 'breaking');
  assert.equal(await page.locator('dd.runs-with').innerText(), '1.0, 2.0');
  const why = await table.locator('tr[id="r-3.0"] ul.why').innerText();
  assert.match(why, /struct geo_point::x/);
  assert.ok(await page.locator('tr[id="r-3.0"].target').count() === 1, 'the release asked for is marked');
  // the narrowed diff of that release
  const link = page.locator('tr[id="r-3.0"] a', { hasText: '1.0 → 3.0' });
  assert.equal(await link.getAttribute('href'), '#/lib/geo/diff?old=1.0&new=3.0&binding=consumer%400.1');
  await link.click();
  await page.locator('p.binding-view').waitFor();
  await page.context().close();
});

test('releases with none of the libraries a binding needs: "not checked", and why, on both pages', async () => {
  const timeline = await open('#/lib/demo');
  const api = await (await timeline.request.get(`${base}/api/v1/libraries/demo/bindings/consumer/0.1`)).json();
  assert.deepEqual(api.matrix.map((r) => r.release), ['1', '2']);
  for (const r of api.matrix) {
    assert.equal(r.verdict, null, `release ${r.release}`);
    assert.match(r.unchecked, new RegExp(`demo@${r.release} has none of the libraries consumer 0\\.1 needs \\(libgeo\\.so\\.1, libc\\.so\\.6\\): it has lib[^ ]*\\.so\\.\\d, lib[^ ]*\\.so\\.\\d; not checked$`));
  }
  const table = timeline.locator('table.bindings-table');
  await table.waitFor();
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  assert.deepEqual(rows.map((r) => r[0]), ['1', '2']);
  for (const r of rows)
    assert.match(r[1], /^\u2014 not checked$/);
  assert.equal(await table.locator('tbody a').count(), 0, 'an unchecked release links to no verdict');
  assert.match(await table.locator('tbody tr').nth(1).locator('span[title]').getAttribute('title'), /has none of the libraries/);
  await timeline.context().close();

  const page = await open('#/lib/demo/binding/consumer/0.1');
  const matrix = page.locator('table.binding-matrix');
  await matrix.waitFor();
  for (const rel of ['1', '2']) {
    const row = matrix.locator(`tr[id="r-${rel}"]`);
    assert.match(await row.locator('td').nth(0).innerText(), /^\u2014 not checked$/);
    assert.match(await row.locator('td').nth(1).innerText(), /has none of the libraries consumer 0\.1 needs \(libgeo\.so\.1, libc\.so\.6\)/);
    assert.equal(await row.locator('td.links a').count(), 0, 'no diff link for a release it was not checked against');
  }
  assert.equal(await page.locator('dd.runs-with').innerText(), 'no stored release');
  await page.context().close();
});

test('diff narrowed to a binding: the changes it never reaches are hidden', async () => {
  const subjects = async (hash) => {
    const page = await open(hash);
    await page.locator('li.change').first().waitFor();
    const all = await page.locator('li.change .subject').allTextContents();
    const note = await page.locator('p.binding-view').count();
    await page.context().close();
    return [all, note];
  };
  const [full, fullNote] = await subjects('#/lib/geo/diff?old=1.0&new=3.0');
  const [mine, note] = await subjects('#/lib/geo/diff?old=1.0&new=3.0&binding=geomod%402.0');
  assert.equal(fullNote, 0);
  assert.equal(note, 1, 'the binding view says it is one');
  for (const unused of ['struct geo_matrix', 'geo_legacy_scale()', 'struct geo_rect']) {
    assert.ok(full.some((x) => x.startsWith(unused)), `the full diff shows ${unused}`);
    assert.ok(!mine.some((x) => x.startsWith(unused)), `the geomod view hides ${unused}`);
  }
  assert.ok(mine.includes('struct geo_point::x'), 'the geomod view keeps the break it reaches');
  assert.ok(mine.length < full.length);
});

test('source links: a release with --source-url links each declaration to its source', async () => {
  const page = await open('#/lib/geo/diff?old=2.0&new=3.0');
  await page.locator('li.change').first().waitFor();
  const links = await page.locator('dd.location a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
  assert.ok(links.length > 0, 'no declaration is a link');
  for (const [href, text] of links) {
    const [file, line] = text.split(':');
    assert.equal(href, `https://src.example/geo/blob/3.0/${file}${line ? '#L' + line : ''}`);
  }
  // 2.0 records no pattern: its diff against 1.0 has no source links
  const other = await open('#/lib/geo/diff?old=1.0&new=2.0');
  await other.locator('li.change').first().waitFor();
  assert.equal(await other.locator('dd.location a').count(), 0);
  await page.context().close();
  await other.context().close();
});

// --- audits pushed by `abiguard audit --push`

test('audits: the pushed audits listed newest first; one opens as a binary x target table with its reasons', async () => {
  const page = await open('#/audits');
  const rows = page.locator('table.audits tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /demo_missingdep-1\.0-cp311-cp311-manylinux_2_17_x86_64\.whl[\s\S]*wheel[\s\S]*fails \(1 of 1 binary\)[\s\S]*manylinux_2_17_x86_64/);
  assert.match(await rows.nth(1).innerText(), /demo-1\.0-[\s\S]*loads/);
  await rows.nth(0).locator('a').click();
  await page.locator('table.audit-matrix').waitFor();
  assert.match(page.url(), /#\/audits\/2$/);
  assert.equal(await page.locator('h1').innerText(), 'Audit of demo_missingdep' + WHEEL_TAG);
  const head = await page.locator('table.audit-matrix thead th').allInnerTexts();
  assert.deepEqual(head, ['Binary', 'manylinux_2_17_x86_64']);
  const cell = page.locator('table.audit-matrix tbody tr').first();
  assert.match(await cell.innerText(), /demo\/_core\.cpython-311-x86_64-linux-gnu\.so[\s\S]*fails/);
  // the cell links to its reasons: the missing dependency, named
  await cell.locator('a').click();
  const reason = page.locator('.reasons li.finding.sev-error').first();
  assert.match(await reason.innerText(), /error dependency-missing: needs libdep-[0-9a-f]{8}\.so\.1, which is neither bundled nor part of a clean manylinux_2_17_x86_64/);
  assert.match(await reason.locator('ul.symbols').innerText(), /libdep-[0-9a-f]{8}\.so\.1/);
  await shot(page, 'desktop-audit');
  await page.context().close();

  const good = await open('#/audits/1');
  await good.locator('table.audit-matrix').waitFor();
  assert.match(await good.locator('.audit-summary').innerText(), /loads — every binary loads on every target/);
  assert.equal(await good.locator('table.audit-matrix tbody tr').count(), 2, 'the extension and the grafted libdep');
  assert.match(await good.locator('section.bundled').innerText(), /SONAME libdep\.so\.1 grafted as libdep-[0-9a-f]{8}\.so\.1[\s\S]*needed by demo\/_core/);
  await good.context().close();

  const missing = await open('#/audits/99');
  await missing.locator('.error').waitFor();
  assert.match(await missing.locator('.error').innerText(), /404: no audit 99/);
  await missing.context().close();
});

test('no script errors on any page', () => {
  assert.deepEqual(pageErrors, []);
});
