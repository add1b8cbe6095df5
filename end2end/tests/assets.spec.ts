import { test, expect } from '@playwright/test';
import { hydrated } from './helpers';

// The app's assets (WebAssembly, JavaScript, CSS) arrive precompressed and, named by their
// content hash, are cached for a year: a second visit fetches none of them.
test('assets arrive compressed and a repeat visit loads none of them', async ({ page }) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  type Fetch = { url: string; status: number; encoding: string; cache: string; cached: boolean; bytes: number; done: boolean };
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
  // Bytes that came over the network (a response from the browser's cache has none).
  const overTheWire = () => [...byId.values()].filter((f) => !f.cached && f.bytes > 0);

  await page.goto('/login');
  await hydrated(page, true);
  await expect.poll(() => overTheWire().filter((f) => f.bytes > 0).length).toBeGreaterThanOrEqual(2);
  const wasm = overTheWire().find((f) => f.url.endsWith('.wasm'));
  const js = overTheWire().find((f) => f.url.endsWith('.js'));
  expect(wasm, 'the WebAssembly app was fetched').toBeTruthy();
  expect(js).toBeTruthy();
  for (const f of [wasm!, js!]) {
    expect(['br', 'gzip']).toContain(f.encoding);
    expect(f.cache).toContain('immutable');
    expect(f.url).toMatch(/docket\.[A-Za-z0-9_-]+\.(wasm|js)$/);
  }
  console.log(`first visit: wasm ${wasm!.bytes} + js ${js!.bytes} bytes over the wire (${wasm!.encoding})`);

  // Another page later, as after closing the tab: nothing from /pkg goes over the wire again.
  byId.clear();
  await page.goto('/login?next=%2Fclients');
  await hydrated(page, true);
  await expect.poll(() => [...byId.values()].every((f) => f.done || f.cached)).toBe(true);
  expect(byId.size, 'the page used its assets').toBeGreaterThanOrEqual(2);
  expect(overTheWire().map((f) => `${f.status} ${f.url} ${f.bytes}`)).toEqual([]);
});
