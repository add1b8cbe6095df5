import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'fs';
import { hydrated, signIn, unique } from './helpers';

/** "$1,234.50" → cents, exactly. */
function cents(text: string): number {
  const m = text.replace(/[^0-9.-]/g, '').match(/^(-?)(\d+)\.(\d{2})$/);
  if (!m) throw new Error(`not an amount: ${text}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
}

async function figure(page: Page, name: string): Promise<number> {
  const totals = page.getByRole('region', { name: 'Lines' }).locator('dl.totals');
  const dt = totals.locator('dt', { hasText: new RegExp(`^${name}$`) });
  return cents(await dt.locator('xpath=following-sibling::dd[1]').innerText());
}

// Billing staff record time on a matter, make an invoice of it, issue it, take a partial and then
// a full payment, and download it as LEDES: the file's lines add up to the total on the page.
test('billing staff invoice a matter and are paid in two parts @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'billing@harborvale.test', js);

  await page.goto('/matters?status=open');
  await hydrated(page, js);
  await page.locator('table a[href^="/matters/"]').nth(1).click();
  await expect(page.getByRole('heading', { name: 'Time', exact: true })).toBeVisible();
  await hydrated(page, js);
  const work = unique('Reviewed the settlement draft');
  await page.getByRole('button', { name: 'New time entry' }).click();
  await hydrated(page, js);
  await page.getByLabel('Duration *').fill('2:15');
  await page.getByLabel('Description').fill(work);
  await page.getByRole('button', { name: 'Save time' }).click();
  await expect(page.getByRole('region', { name: 'Time', exact: true })).toContainText(work);
  await hydrated(page, js);

  // Preview, then the draft.
  await page.getByRole('button', { name: 'Create invoice' }).click();
  await expect(page.getByRole('heading', { name: 'New invoice' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Unbilled time and expenses' })).toContainText(work);
  await hydrated(page, js);
  await page.getByRole('button', { name: 'Create draft invoice' }).click();
  await expect(page.getByRole('heading', { name: 'Draft invoice', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Invoice lines' })).toContainText(work);
  await hydrated(page, js);

  // Issued: it takes the next number.
  await page.getByRole('button', { name: 'Issue invoice' }).click();
  await expect(page.getByRole('heading', { name: /^Invoice [A-Z/._-]*\d{4}-\d{4}$/, level: 1 })).toBeVisible();
  await hydrated(page, js);
  const total = await figure(page, 'Total');
  expect(total).toBeGreaterThan(100);

  // A partial payment, then the rest.
  await page.getByLabel('Amount *').fill('1.00');
  await page.getByLabel('Method *').selectOption({ label: 'Check' });
  await page.getByLabel('Reference').fill('1001');
  await page.getByRole('button', { name: 'Record payment' }).click();
  await expect(page.getByRole('table', { name: 'Payments' })).toContainText('1001');
  await expect(page.getByText('Partially paid')).toBeVisible();
  await hydrated(page, js);
  expect(await figure(page, 'Balance due')).toBe(total - 100);
  const rest = ((total - 100) / 100).toFixed(2);
  await page.getByLabel('Amount *').fill(rest);
  await page.getByLabel('Method *').selectOption({ label: 'Wire transfer' });
  await page.getByRole('button', { name: 'Record payment' }).click();
  await expect(page.getByRole('button', { name: 'Record payment' })).toHaveCount(0);
  expect(await figure(page, 'Balance due')).toBe(0);
  await expect(page.getByText(/^Paid · /)).toBeVisible();

  // The LEDES file says the same total.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download LEDES' }).click(),
  ]);
  const file = readFileSync(await download.path()!, 'ascii');
  const lines = file.trim().split('\n');
  expect(lines[0]).toBe('LEDES1998B[]');
  const header = lines[1].replace(/\[\]$/, '').split('|');
  const at = header.indexOf('LINE_ITEM_TOTAL');
  const sum = lines.slice(2).reduce((s, l) => s + cents(l.replace(/\[\]$/, '').split('|')[at]), 0);
  expect(sum).toBe(total);

  expect(errors.filter((e) => !e.includes('status of 422')), 'browser console errors').toEqual([]);
});
