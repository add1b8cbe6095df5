import { expect, Page } from '@playwright/test';

export const PASSWORD = 'docket-demo';

/** Wait until the WASM app has hydrated the page (no-op when JavaScript is off). */
export async function hydrated(page: Page, js: boolean) {
  if (js) await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
}

export async function signIn(page: Page, email: string, js: boolean) {
  await page.goto('/login');
  await hydrated(page, js);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('active-firm')).toHaveText('Harbor & Vale LLP');
  await hydrated(page, js);
}

export function unique(prefix: string) {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}
