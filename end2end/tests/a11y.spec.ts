import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, signIn } from './helpers';

async function noSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

test('sign-in, client and matter pages have no serious accessibility violations', async ({ page }) => {
  await page.goto('/login');
  await noSeriousViolations(page);

  await signIn(page, 'admin@harborvale.test', true);
  for (const path of ['/clients', '/matters', '/clients/new', '/matters/new', '/activity', '/calendar', '/tasks', '/admin/jobs', '/settings']) {
    await page.goto(path);
    await hydrated(page, true);
    await noSeriousViolations(page);
  }
  await page.goto('/clients');
  await page.getByRole('table').getByRole('link').first().click();
  await expect(page.getByRole('region', { name: 'History' })).toBeVisible();
  await noSeriousViolations(page);
  await page.goto(`${new URL(page.url()).pathname}/documents`);
  await expect(page.getByRole('heading', { name: 'Documents', level: 1 })).toBeVisible();
  await hydrated(page, true);
  await noSeriousViolations(page);
  await page.goto('/matters');
  await page.getByRole('table').getByRole('link').first().click();
  await expect(page.getByRole('region', { name: 'Edit matter' })).toBeVisible();
  await noSeriousViolations(page);
  await page.goto(`${new URL(page.url()).pathname}/documents`);
  await expect(page.getByRole('heading', { name: 'Documents', level: 1 })).toBeVisible();
  await hydrated(page, true);
  await noSeriousViolations(page);
});

test('the journey works from the keyboard', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page, true);
  // The email field has autofocus; from there on only the keyboard is used.
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type('staff@harborvale.test');
  await page.keyboard.press('Tab');
  await page.keyboard.type('docket-demo');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('active-firm')).toBeVisible();
  await hydrated(page, true);

  // Skip link, then into the sidebar to Clients.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();

  await page.getByRole('link', { name: 'New client' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'New client' })).toBeVisible();
  await hydrated(page, true);
  await page.getByLabel('Name *').focus();
  await page.keyboard.type('Keyboard Client');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown'); // Type: Person
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Create client' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Keyboard Client' })).toBeVisible();
});
