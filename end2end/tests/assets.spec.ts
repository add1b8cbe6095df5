import { test, expect, Browser, BrowserContext, Page } from '@playwright/test';
import { hydrated, signIn } from './helpers';

// The app's assets (WebAssembly, JavaScript, CSS) arrive precompressed and, named by their
// content hash, are cached for a year. Each page is a lazy route with WebAssembly chunks of its
// own (`cargo leptos build --split`), so what a first visit downloads depends on the page.

type Fetch = { url: string; status: number; encoding: string; cache: string; cached: boolean; bytes: number; done: boolean };

/** Record what the page fetches from /pkg, through the browser's own network log. */
async function recordAssets(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map<string, Fetch>();
  cdp.on('Network.responseReceived', (e: any) => {
    if (!e.response.url.includes('/pkg/')) return;
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    byId.set(e.requestId, {
      url: e.response.url,
      status: e.response.status,
      encoding: h['content-encoding'] ?? '',
      cache: h['cache-control'] ?? '',
      cached: Boolean(e.response.fromDiskCache || e.response.fromMemoryCache || e.response.fromPrefetchCache),
      bytes: 0,
      done: false,
    });
  });
  cdp.on('Network.loadingFinished', (e: any) => {
    const f = byId.get(e.requestId);
    if (f) {
      f.bytes = e.encodedDataLength;
      f.done = true;
    }
  });
  return byId;
}

/** Bytes that came over the network (a response from the browser's cache has none). */
const overTheWire = (byId: Map<string, Fetch>) => [...byId.values()].filter((f) => !f.cached && f.bytes > 0);
// WebAssembly, JavaScript, and the packs of a page's WebAssembly chunks (see `server::pack`).
const code = (f: Fetch) => /\.(wasm|js|bin)$/.test(f.url);

test('assets arrive compressed, named by their content, and a repeat visit loads none of them', async ({ page }) => {
  const byId = await recordAssets(page);
  await page.goto('/login');
  await hydrated(page, true);
  await expect.poll(() => [...byId.values()].every((f) => f.done)).toBe(true);
  const fetched = overTheWire(byId);
  expect(fetched.some((f) => /\/docket\.[A-Za-z0-9_-]+\.wasm$/.test(f.url)), 'the WebAssembly app was fetched').toBe(true);
  expect(fetched.some((f) => /\/docket\.[A-Za-z0-9_-]+\.js$/.test(f.url))).toBe(true);
  expect(fetched.some((f) => /\/pack\.[A-Za-z0-9_-]+\.bin$/.test(f.url)), "the page's chunks came as one pack").toBe(true);
  for (const f of fetched.filter(code)) {
    expect(f.status, f.url).toBe(200);
    expect(['br', 'gzip'], f.url).toContain(f.encoding);
    expect(f.cache, f.url).toContain('immutable');
    expect(f.url).toMatch(/\.[A-Za-z0-9_-]{22}\.(wasm|js|bin)$/);
  }

  // Another page later, as after closing the tab: what it shares with the first comes from the
  // cache, and nothing fetched the first time goes over the wire again.
  const first = new Set(fetched.map((f) => f.url));
  byId.clear();
  await page.goto('/login?next=%2Fclients');
  await hydrated(page, true);
  await expect.poll(() => [...byId.values()].every((f) => f.done || f.cached)).toBe(true);
  expect(byId.size, 'the page used its assets').toBeGreaterThanOrEqual(2);
  expect(overTheWire(byId).filter((f) => first.has(f.url)).map((f) => `${f.status} ${f.url} ${f.bytes}`)).toEqual([]);
});

// Each page's head fetches the WebAssembly chunks its route needs as one pack, beside the main
// module instead of after it, and the split loader's fetches of them are answered from the pack
// (`ui::preload_page_chunks`, `server::pack`): compressed together they cost far less than file by
// file. Chunks outside the pack get a preload link each. The script is made as the route renders;
// Leptos added its links after the render, outside the page's owner, and under concurrent renders
// they went missing or into another page.
test('a page fetches its WebAssembly chunks as one pack, and preloads any other', async ({ browser, page }) => {
  await signIn(page, 'admin@harborvale.test', true);
  // A matter's page: its own module, over 128 kB, comes alone (see `server::pack`).
  await page.goto('/matters');
  const matter = await page.locator('table a[href^="/matters/"]').first().getAttribute('href');
  expect(matter).toBeTruthy();
  const context = await browser.newContext({ storageState: await page.context().storageState() });
  const fresh = await context.newPage();
  const fetched: string[] = [];
  fresh.on('requestfinished', (r) => {
    if (/\/pkg\/.*\.(wasm|bin)$/.test(r.url())) fetched.push(new URL(r.url()).pathname);
  });
  // Chromium says so when a preload goes unused or does not match the fetch that wants it.
  const warnings: string[] = [];
  fresh.on('console', (m) => {
    if (/preload|WebAssembly|wasm/i.test(m.text())) warnings.push(`${m.type()}: ${m.text()}`);
  });
  await fresh.goto(matter!);
  await hydrated(fresh, true);
  await fresh.waitForLoadState('networkidle');
  // Every chunk of the pack was asked for, and the browser's own `fetch` is back.
  expect(await fresh.evaluate(() => window.fetch.toString())).toContain('[native code]');
  const preloaded = new Set(
    await fresh.evaluate(() =>
      [...document.head.querySelectorAll<HTMLLinkElement>('link[rel="preload"]')].map((l) => new URL(l.href).pathname),
    ),
  );
  await fresh.waitForTimeout(3500); // "not used within a few seconds from the window's load event"
  await context.close();
  expect(warnings).toEqual([]);
  expect(fetched.filter((url) => /\/pack\.[A-Za-z0-9_-]{22}\.bin$/.test(url)), 'one pack').toHaveLength(1);
  const chunks = fetched.filter((url) => url.endsWith('.wasm') && !/\/docket\.[A-Za-z0-9_-]+\.wasm$/.test(url));
  expect(chunks.filter((url) => !preloaded.has(url)), 'fetched without a preload').toEqual([]);
  expect(chunks.length, 'chunks fetched one by one').toBeGreaterThanOrEqual(1);
  expect(chunks.length, 'chunks fetched one by one').toBeLessThan(5);
});

// A pack that cannot be had (a replica of another build during a deploy, a proxy that drops it)
// costs speed, not the page: the split loader fetches the chunks one by one.
test('a page whose pack fails still loads its WebAssembly', async ({ browser, page }) => {
  await signIn(page, 'admin@harborvale.test', true);
  const context = await browser.newContext({ storageState: await page.context().storageState() });
  const fresh = await context.newPage();
  let refused = 0;
  await fresh.route('**/pkg/pack.*.bin', (route) => {
    refused += 1;
    return route.fulfill({ status: 404, headers: { 'cache-control': 'no-store' } });
  });
  const chunks: string[] = [];
  fresh.on('requestfinished', (r) => {
    if (/\/pkg\/(chunk|split)_.*\.wasm$/.test(r.url())) chunks.push(r.url());
  });
  await fresh.goto('/matters');
  await hydrated(fresh, true);
  await context.close();
  expect(refused).toBe(1);
  expect(chunks.length, 'chunks fetched one by one').toBeGreaterThan(20);
});

// What a first visit to each page downloads before it is interactive (WebAssembly and
// JavaScript, compressed, on an empty cache). Budgets: each page's figure when it was last
// measured, plus about 3%. A page that grows past its budget fails here, and whoever grows it
// decides whether to raise the figure (saying why) or split the page. The target is 200 kB for
// every page (see the README, "The browser build"); before pages were split, each cost 400 kB.
// Raised when invoices, reports and firm settings arrived: their routes and the menu grew the
// shared part by about 11 kB, and the dashboard's billing figures its own chunks by about 22 kB.
// Raised again with rates, line editing, sign-in providers and the People page: the shared part
// grew by about 3 kB, the sign-in page by 17 kB, and the client and matter pages by about 43 kB
// each (their administrators' rate cards load with them: a split of their own is the next step).
// Raised again with invitations, the profile, password reset, e-mailed sign-in links and
// two-factor sign-in (issue 8): every page's shared part grew by about 7–12 kB (eight new routes
// and their server functions' client stubs), the sign-in page by 18 kB (the link button, the
// second-factor and recovery pages' routes). Figures of this run: /login 263.6 kB, / 295.8,
// /clients 310.6, a client 496.7, /matters 349.3, a matter 545.4, /time 422.3.
// Raised for a matter's page with its ethical-wall card ("Who can see this matter", issue 8):
// 570.4 kB, up from 545.4 (the card, its two server functions' stubs, the QR code's setup page
// sharing chunks); the other pages stayed within theirs (/login 265.1, /matters 354.1).
// Raised with the calendar (issue 10): a matter's page carries its calendar card and its three
// forms (New event, Add deadline, New task): 694.9 kB, 78 kB over; /login 286.5 kB, 0.5 kB over
// (the shared part's new server-function stubs). Budgets are the measured figures plus about 3%.
// Raised for a client's page with trust accounting (issue 9): 515.3 kB, 0.3 kB over its budget
// (the sidebar's Trust entry, two new routes and eight server functions' stubs in the shared
// part: every page grew 2–5 kB). Figures of that run: /login 269.8, / 302.7, /matters 359.6,
// a matter 585.2 (with its "In trust" figure), /time 434.4.
// Raised again with paying invoices from trust, reconciliation and trust statements (issue 9):
// five new routes and six server functions' stubs grew every page's shared part by 3–8 kB, a
// matter's page by 13.6 kB. Figures of that run: /login 277.5, / 309.6, /matters 368.3, a
// client 526.6, a matter 598.8, /time 445.7, /invoices 341.0.
// Raised with documents and search (issue 11): the command palette (Ctrl-K, on every signed-in
// page) lives in the frame, and two new routes and eight server functions' stubs sit in the
// shared part: every page grew by 4–36 kB, /login the most (313.3 kB, was 277.5). Figures of
// that run: / 333.1, /clients 342.3, a client 546.2, /matters 385.4, a matter 704.1, /time 462.5.
// Loading the palette's code on its first use (a lazy split) is the way back (issue 6).
// Raised with changing and cancelling events (issue 10): each upcoming event on a matter's page
// carries its own change and cancel forms; a matter 732.0 kB (was 704.1 with the calendar card's
// three forms). Loading the card's forms on first use would take it back (issue 6).
// What the command palette finds (its search, Transition, the results) became a lazy function
// (issue 6), its box staying in the frame so that it shows at once: the shared WebAssembly fell
// from 244.4 to 219.1 kB and /login to 311.0 kB (was 313.3), but the code it shared with the
// pages (the search stubs, Transition, the error panel) is now in chunks each page fetches, and
// six pages came out over budgets set 3% above older figures. Figures of that run (kB): /login
// 311.0, / 341.1, /clients 356.8, a client 568.3, /clients/new 354.4, /matters 401.4, a matter
// 744.0, /matters/new 454.9, /time 481.4, /time/new 417.8, /invoices 372.6, /activity 384.0; the
// budgets were those plus 2–3% (files per page: 70 to 468; fewer, larger chunks would compress
// better: see the README, "The browser build").
// Lowered when the splitter stopped leaving the pages' text in the main module (src/front/lib.rs,
// `SPLIT_SLACK`): the main module went from 219 to 171 kB brotli and every page dropped by 23 to
// 41 kB. Figures of that run (kB): /login 270.4, / 302.7, /clients 321.9, a client 538.9,
// /clients/new 315.6, /matters 369.2, a matter 720.6, /matters/new 425.7, /time 454.1, /time/new
// 383.7, /invoices 339.7, /activity 350.6; the budgets are those plus 3%. Every page jumping by
// 23–41 kB at once means the splitter lost that slack (its "Overlong segment" warning, on which
// the release build in tools/dev.sh stops).
// Lowered when each page's chunks came as one pack, compressed as one file (`server::pack`), and
// the split loader lost its comments and its 800 chunk hashes (`server::chunks`): every page
// dropped by 41 to 188 kB. Figures of that run (kB): /login 229.5, / 255.1, /clients 262.9, a
// client 399.9, /clients/new 258.9, /matters 290.3, a matter 532.6, /matters/new 325.8, /time
// 346.7, /time/new 298.7, /invoices 275.6, /activity 282.9, in 4 files each (the main module,
// its JavaScript, the split loader, the pack), 5 for a client and a matter (their own modules,
// over 128 kB, come alone); the budgets are those plus 3%.
// Lowered when every build type-erased Leptos's components (`--cfg erase_components`, in
// .cargo/config.toml, for the server and the browser alike): every page dropped by 15 to 114 kB.
// Figures of that run (kB): /login 212.7, / 239.7, /clients 246.1, a client 336.9, /clients/new
// 241.7, /matters 262.5, a matter 419.1, /matters/new 300.2, /time 312.6, /time/new 275.2,
// /invoices 258.8, /activity 258.4, in 4 files each, 5 for a matter (a client's own module now
// comes in its pack); the budgets are those plus 3%.
// Lowered when the split loader named its chunks and pages as data (`server::split_loader`, 6.8 -> 4.2
// kB on every page) and the pages with plain form posts (sign-in, second factor, joining a firm,
// a new firm) stopped making a `ServerAction` only to read its flashed error (`ui::post_error`):
// the sign-in page no longer downloads the server functions' browser-side caller (its chunks 110
// -> 57 kB raw). Figures of that run (kB): /login 192.4, / 237.3, /clients 243.8, a client 334.5,
// /clients/new 239.2, /matters 260.8, a matter 416.6, /matters/new 297.8, /time 310.6, /time/new
// 272.8, /invoices 256.4, /activity 255.9; the budgets are those plus 3%.
const BUDGET: Record<string, number> = {
  '/login': 198_000,
  '/': 244_000,
  '/clients': 251_000,
  '/clients/{id}': 344_000,
  '/clients/new': 246_000,
  '/matters': 268_000,
  '/matters/{id}': 429_000,
  '/matters/new': 306_000,
  '/time': 320_000,
  '/time/new': 280_000,
  '/invoices': 264_000,
  '/activity': 263_000,
};
// Where a visit starts, the sign-in page, downloads at most this (issue 6: the initial WebAssembly
// and JavaScript at most 200 kB brotli). Its budget above may move; this may not, without
// deciding so. Counted as the budgets are: the files under /pkg; the page's HTML carries two
// small inline scripts besides (hydration and `ui::preload_page_chunks`: 2.7 kB of text here,
// before the page's compression).
const FIRST_LOAD = 200_000;

async function firstVisit(browser: Browser, state: Awaited<ReturnType<BrowserContext['storageState']>> | undefined, path: string) {
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  const sizes: Promise<number>[] = [];
  page.on('requestfinished', (r) => {
    if (r.url().includes('/pkg/') && /\.(wasm|js|bin)$/.test(r.url())) sizes.push(r.sizes().then((s) => s.responseBodySize));
  });
  await page.goto(path);
  await hydrated(page, true);
  await page.waitForLoadState('networkidle');
  const bodies = await Promise.all(sizes);
  await context.close();
  // Compressed bodies only: response headers are the same few hundred bytes on any file.
  return { bytes: bodies.reduce((n, b) => n + b, 0), files: bodies.length };
}

test('a first visit to each page stays within its download budget', async ({ browser, page }) => {
  const figures: string[] = [];
  const check = (path: string, r: { bytes: number; files: number }, budget: number) => {
    figures.push(`${path.padEnd(16)} ${String(r.bytes).padStart(7)} bytes in ${r.files} files (budget ${budget})`);
    expect.soft(r.bytes, `${path}: ${r.bytes} bytes`).toBeLessThanOrEqual(budget);
  };
  const login = await firstVisit(browser, undefined, '/login');
  check('/login', login, BUDGET['/login']);
  expect.soft(login.bytes, 'the first load (the sign-in page)').toBeLessThanOrEqual(FIRST_LOAD);

  await signIn(page, 'admin@harborvale.test', true);
  const state = await page.context().storageState();
  await page.goto('/clients');
  const client = await page.locator('table a[href^="/clients/"]').first().getAttribute('href');
  await page.goto('/matters');
  const matter = await page.locator('table a[href^="/matters/"]').first().getAttribute('href');
  expect(client).toBeTruthy();
  expect(matter).toBeTruthy();

  check('/', await firstVisit(browser, state, '/'), BUDGET['/']);
  for (const path of ['/clients', client!, '/clients/new', '/matters', matter!, '/matters/new', '/time', '/time/new', '/invoices', '/activity']) {
    const label = path.replace(/[0-9a-f-]{36}/, '{id}');
    const r = await firstVisit(browser, state, path);
    check(label, r, BUDGET[label]);
  }
  console.log(`first visit, WebAssembly + JavaScript over the wire:\n${figures.join('\n')}`);
});
