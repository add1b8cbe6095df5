import { defineConfig } from '@playwright/test';

// Debian's Chromium: Playwright's own browser download is not available here.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
};

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3000',
    launchOptions,
    trace: 'retain-on-failure',
  },
  projects: [
    // Every journey runs hydrated, and the core flows again with JavaScript off.
    { name: 'hydrated', testMatch: /.*\.spec\.ts/, use: { javaScriptEnabled: true } },
    { name: 'no-js', testMatch: /(journey|nojs|time|invoices|team|walls|trust|calendar|documents)\.spec\.ts/, grep: /@nojs/, use: { javaScriptEnabled: false } },
  ],
});
