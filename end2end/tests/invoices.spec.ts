import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'fs';
import { hydrated, signIn, unique } from './helpers';

/** "$1,234.50" → cents, exactly. */
function cents(text: string): number {
  const m = text.replace(/[^0-9.-]/g, '').match(/^(-?)(\d+)\.(\d{2})$/);
  if (!m) throw new Error(`not an amount: ${text}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
}

/** What the aging report says the client owes in total (0 when the client is not listed). */
async function owed(page: Page, client: string, js: boolean): Promise<number> {
  await page.goto('/reports/aging');
  await expect(page.getByRole('heading', { name: 'Receivables aging' })).toBeVisible();
  await hydrated(page, js);
  const table = page.getByRole('table', { name: 'Receivables by client and age' });
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: client, exact: true }) });
  if ((await row.count()) === 0) return 0;
  return cents(await row.getByRole('cell').last().innerText());
}

async function figure(page: Page, name: string): Promise<number> {
  const totals = page.getByRole('region', { name: 'Lines' }).locator('dl.totals');
  const dt = totals.locator('dt', { hasText: new RegExp(`^${name}$`) });
  return cents(await dt.locator('xpath=following-sibling::dd[1]').innerText());
}

// Billing staff record time on a matter, make an invoice of it, correct a line, issue it, take a
// partial and then a full payment (the receivables aging report follows each step), and download
// it as LEDES: the file's lines add up to the total on the page.
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
  const invoice = page.url();
  const client = (await page.locator('dl.facts dt:text-is("Bill to") + dd').innerText()).trim();

  // A correction on the draft: the line bills two hours, not 2:15.
  const line = page.getByRole('table', { name: 'Invoice lines' }).getByRole('row').filter({ hasText: work });
  await line.locator('summary').click();
  await line.getByLabel('Hours').fill('2:00');
  await line.getByRole('button', { name: 'Save line' }).click();
  await expect(line.getByRole('cell').nth(3)).toHaveText('2:00');
  await hydrated(page, js);

  // Issued: it takes the next number, and the client owes its total.
  const before = await owed(page, client, js);
  await page.goto(invoice);
  await hydrated(page, js);
  await page.getByRole('button', { name: 'Issue invoice' }).click();
  await expect(page.getByRole('heading', { name: /^Invoice [A-Z/._-]*\d{4}-\d{4}$/, level: 1 })).toBeVisible();
  await hydrated(page, js);
  const total = await figure(page, 'Total');
  expect(total).toBeGreaterThan(100);
  expect(await owed(page, client, js)).toBe(before + total);
  await page.goto(invoice);
  await hydrated(page, js);

  // A partial payment, then the rest.
  await page.getByLabel('Amount *').fill('1.00');
  await page.getByLabel('Method *').selectOption({ label: 'Check' });
  await page.getByLabel('Reference').fill('1001');
  await page.getByRole('button', { name: 'Record payment' }).click();
  await expect(page.getByRole('table', { name: 'Payments' })).toContainText('1001');
  await expect(page.getByText('Partially paid')).toBeVisible();
  await hydrated(page, js);
  expect(await figure(page, 'Balance due')).toBe(total - 100);
  expect(await owed(page, client, js)).toBe(before + total - 100);
  await page.goto(invoice);
  await hydrated(page, js);
  const rest = ((total - 100) / 100).toFixed(2);
  await page.getByLabel('Amount *').fill(rest);
  await page.getByLabel('Method *').selectOption({ label: 'Wire transfer' });
  await page.getByRole('button', { name: 'Record payment' }).click();
  await expect(page.getByRole('button', { name: 'Record payment' })).toHaveCount(0);
  expect(await figure(page, 'Balance due')).toBe(0);
  await expect(page.getByText(/^Paid · /)).toBeVisible();
  expect(await owed(page, client, js)).toBe(before);
  await page.goto(invoice);
  await hydrated(page, js);

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
