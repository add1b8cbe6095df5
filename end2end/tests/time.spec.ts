import { test, expect } from '@playwright/test';
import { hydrated, signIn, unique } from './helpers';

// An attorney records time on a matter by hand and with the timer. Tagged @nojs: it also runs
// with JavaScript off.
test('an attorney records time by hand and with the timer @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'attorney@harborvale.test', js);

  // An open matter of the demo firm.
  await page.goto('/matters?status=open');
  await hydrated(page, js);
  await page.locator('table a[href^="/matters/"]').first().click();
  await expect(page.getByRole('heading', { name: 'Time', exact: true })).toBeVisible();
  await hydrated(page, js);
  const matterUrl = page.url();

  // By hand.
  const work = unique('Drafted the reply brief');
  await page.getByRole('button', { name: 'New time entry' }).click();
  await expect(page.getByRole('heading', { name: 'New time entry' })).toBeVisible();
  await hydrated(page, js);
  await expect(page.getByLabel('Date *')).not.toHaveValue('');
  await expect(page.getByLabel('Billable')).toBeChecked();
  await page.getByLabel('Duration *').fill('1:75');
  await page.getByLabel('Description').fill(work);
  await page.getByRole('button', { name: 'Save time' }).click();
  // A wrong duration is named beside the field, and the description is kept.
  await expect(page.getByText('After the colon come minutes, 00 to 59.')).toBeVisible();
  await expect(page.getByLabel('Description')).toHaveValue(work);
  await hydrated(page, js);
  await page.getByLabel('Duration *').fill('1h 30m');
  await page.getByRole('button', { name: 'Save time' }).click();
  await expect(page).toHaveURL(matterUrl);
  const time = page.getByRole('region', { name: 'Time', exact: true }).getByRole('table');
  await expect(time.getByRole('row').filter({ hasText: work })).toContainText('1:30');
  await hydrated(page, js);

  // With the timer.
  const call = unique('Call with opposing counsel');
  await page.getByLabel('What are you working on?').fill(call);
  await page.getByRole('button', { name: 'Start timer' }).click();
  await expect(page.getByTestId('timer-clock')).toBeVisible();
  await expect(page.getByText('Running')).toBeVisible();
  await hydrated(page, js);
  // A reload finds it running.
  await page.reload();
  await hydrated(page, js);
  await expect(page.getByRole('button', { name: 'Stop timer' })).toBeVisible();
  await page.getByRole('button', { name: 'Stop timer' }).click();
  await expect(page.getByRole('button', { name: 'Start timer' })).toBeVisible();
  await expect(time.getByRole('row').filter({ hasText: call })).toContainText('0:01');

  // Both are on the attorney's own list.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Time', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'My time' })).toBeVisible();
  await expect(page.getByRole('table')).toContainText(work);
  await expect(page.getByRole('table')).toContainText(call);

  expect(errors.filter((e) => !e.includes('status of 422')), 'browser console errors').toEqual([]);
});
