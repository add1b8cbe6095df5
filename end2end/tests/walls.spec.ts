import { test, expect, Browser, Page } from '@playwright/test';
import { hydrated, signIn, unique } from './helpers';

async function freshPage(browser: Browser, js: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: js });
  return context.newPage();
}

// An administrator walls a matter off to themselves: a colleague finds it nowhere and its address
// is a missing page; opened to the firm again, the colleague sees it.
test('an administrator restricts a matter to named people and a colleague cannot find it @nojs', async ({ page, browser, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'admin@harborvale.test', js);

  const client = unique('Wall Client');
  await page.goto('/clients/new');
  await hydrated(page, js);
  await page.getByLabel('Name *').fill(client);
  await page.getByLabel('Type *').selectOption('company');
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page.getByRole('heading', { level: 1, name: client })).toBeVisible();
  await hydrated(page, js);
  await page.getByRole('link', { name: 'New matter' }).click();
  await hydrated(page, js);
  const title = unique('Walled matter');
  await page.getByLabel('Title *').fill(title);
  await page.getByLabel('Practice area *').selectOption('corporate');
  await page.getByLabel('Responsible attorney').selectOption({ label: 'Priya Raman' });
  await page.getByRole('button', { name: 'Open matter' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  await hydrated(page, js);
  const address = new URL(page.url()).pathname;

  const access = page.getByRole('region', { name: 'Who can see this matter' });
  await expect(access).toContainText('Everyone in the firm.');
  await access.getByRole('radio', { name: 'Only the people named below' }).check();
  await access.getByRole('checkbox', { name: /^Morgan Hale/ }).check();
  await access.getByRole('button', { name: 'Save who can see this matter' }).click();
  await expect(access).toContainText('Only the people named: Morgan Hale.');
  await page.goto(`/matters?q=${encodeURIComponent(title)}`);
  const row = page.getByRole('row', { name: new RegExp(title) });
  await expect(row).toContainText('Restricted');

  // A colleague: not in the list, not in search, and the address is a missing page.
  const colleague = await freshPage(browser, js);
  await signIn(colleague, 'attorney@harborvale.test', js);
  await colleague.goto(`/matters?q=${encodeURIComponent(title)}`);
  await expect(colleague.getByRole('heading', { name: 'Matters', level: 1 })).toBeVisible();
  await expect(colleague.getByRole('link', { name: title })).toHaveCount(0);
  const missing = await colleague.goto(address);
  expect(missing?.status()).toBe(404);
  await expect(colleague.getByRole('heading', { name: 'Not found' })).toBeVisible();

  // Open to the firm again.
  await page.goto(address);
  await hydrated(page, js);
  await access.getByRole('radio', { name: 'Everyone in the firm' }).check();
  await access.getByRole('button', { name: 'Save who can see this matter' }).click();
  await expect(access).toContainText('Everyone in the firm.');
  await colleague.goto(`/matters?q=${encodeURIComponent(title)}`);
  await expect(colleague.getByRole('link', { name: title })).toBeVisible();
  expect(errors).toEqual([]);
});
