import { test, expect } from '@playwright/test';
import { hydrated } from './helpers';

// "Continue with Google" goes through Supabase Auth (the stand-in on loopback, which speaks
// GoTrue's protocol), and comes back signed in, with no token in the page.
test('an attorney continues with Google and lands on the dashboard @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto('/login');
  await hydrated(page, js);
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in with google' })).toBeVisible();
  await page.getByLabel('Email').fill('attorney@harborvale.test');
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  await expect(page.getByTestId('active-firm')).toHaveText('Harbor & Vale LLP');
  await hydrated(page, js);
  expect(await page.content()).not.toMatch(/access_token|eyJhbGci/);
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).toEqual(['docket_session']);
  expect(cookies[0].httpOnly).toBe(true);
  expect(cookies[0].sameSite).toBe('Lax');

  // Someone the firm never invited is told so, and is not signed in.
  await page.context().clearCookies();
  await page.goto('/login');
  await hydrated(page, js);
  await page.getByRole('link', { name: 'Continue with Apple' }).click();
  await page.getByLabel('Email').fill('stranger@elsewhere.test');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText("Ask your firm's administrator");
  expect(await page.context().cookies()).toEqual([]);

  expect(errors, 'browser console errors').toEqual([]);
});
