import { test, expect } from '@playwright/test';
import { hydrated, signIn, unique } from './helpers';

// The whole journey of the foundation issue. Tagged @nojs: it also runs with JavaScript off.
test('sign in, create a client with a contact, open and close a matter, find it, sign out @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));

  await signIn(page, 'attorney@harborvale.test', js);

  // A new client.
  const name = unique('Journey Client');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('link', { name: 'New client' }).click();
  await expect(page.getByRole('heading', { name: 'New client' })).toBeVisible();
  await hydrated(page, js);
  await page.getByLabel('Name *').fill(name);
  await page.getByLabel('Type *').selectOption('company');
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await hydrated(page, js);

  // A contact for it.
  await page.getByLabel('Contact type').selectOption('email');
  await page.getByLabel('Contact detail *').fill('General.Counsel@Journey.example');
  await page.getByLabel('Label').fill('legal');
  await page.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.locator('.contacts')).toContainText('general.counsel@journey.example');

  // A matter for it, from the client's page.
  await page.getByRole('link', { name: 'New matter' }).click();
  await expect(page.getByText(`Client: ${name}`)).toBeVisible();
  await hydrated(page, js);
  const title = unique('Journey matter');
  await page.getByLabel('Title *').fill(title);
  await page.getByLabel('Practice area *').selectOption('litigation');
  await page.getByLabel('Responsible attorney').selectOption({ label: 'Priya Raman' });
  await page.getByRole('button', { name: 'Open matter' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  await hydrated(page, js);

  // Close it.
  await page.getByLabel('Status', { exact: true }).selectOption('closed');
  await page.getByRole('button', { name: 'Save matter' }).click();
  if (js) await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.locator('dl.facts')).toContainText(/Closed\d{4}-\d{2}-\d{2}/);
  const history = page.getByRole('region', { name: 'History' });
  await expect(history).toContainText('Updated');
  await expect(history).toContainText('closed');

  // It shows in the filtered list.
  await page.goto(`/matters?status=closed&q=${encodeURIComponent(title)}`);
  await hydrated(page, js);
  await expect(page.getByRole('link', { name: title })).toBeVisible();
  await page.goto('/matters?status=open');
  await expect(page.getByRole('link', { name: title })).toHaveCount(0);

  // And in the client's history.
  await page.goto('/clients');
  await hydrated(page, js);
  await page.getByLabel('Search by name').fill(name);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('region', { name: 'History' })).toContainText('Contact add');

  // Sign out.
  await hydrated(page, js);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Docket' })).toBeVisible();
  await page.goto('/clients');
  await expect(page).toHaveURL(/\/login/);

  expect(errors, 'browser console errors').toEqual([]);
});

test('a rejected form keeps what was typed and shows the problem beside the field @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  await signIn(page, 'staff@harborvale.test', js);
  await page.goto('/clients/new');
  await hydrated(page, js);
  const longName = 'Half-typed Client '.repeat(12);
  await page.getByLabel('Name *').fill(longName);
  await page.getByLabel('Notes').fill('Important notes I do not want to retype');
  // Type is left unchosen: the browser itself holds the form back.
  await page.getByRole('button', { name: 'Create client' }).click();
  expect(await page.getByLabel('Type *').evaluate((el: HTMLSelectElement) => el.validity.valueMissing)).toBe(true);
  await expect(page.getByRole('heading', { name: 'New client' })).toBeVisible();
  // A name that is too long is refused by the server, beside the field.
  await page.getByLabel('Type *').selectOption('company');
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page.getByText('Use at most 200 characters.')).toBeVisible();
  await expect(page.getByLabel('Name *')).toHaveValue(longName);
  await expect(page.getByLabel('Notes')).toHaveValue('Important notes I do not want to retype');
  await expect(page.getByLabel('Name *')).toHaveAttribute('aria-invalid', 'true');
  // Without JavaScript the error came back through the session: the address holds none of it.
  expect(page.url()).not.toContain('__err');
});

test('an administrator reads and exports the firm\'s activity @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  await signIn(page, 'admin@harborvale.test', js);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByRole('heading', { name: 'Activity' })).toBeVisible();
  await hydrated(page, js);
  await page.getByLabel('Action').selectOption({ label: 'Signed in' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/action=user\.sign_in/);
  const table = page.getByRole('table', { name: 'Activity' });
  await expect(table).toContainText('Signed in');
  await expect(table).toContainText('Morgan Hale');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const file = await download;
  const text = await (await file.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'));
  expect(text.split('\r\n')[0]).toBe('time,person,action,record type,record id,summary,changes,ip address');
  expect(text).toContain('user.sign_in');
});

test('wrong credentials get one generic message @nojs', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill('attorney@harborvale.test');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid email or password.');
});
