import { test, expect, Browser, Page } from '@playwright/test';
import { hydrated, signIn } from './helpers';

// The SMTP sink's HTTP API (MailDev), started by the test command.
const MAIL_API = process.env.MAIL_API ?? 'http://127.0.0.1:56080';

/** The text of the newest message MailDev received for `to`, waiting for it to arrive. */
async function mailTo(to: string): Promise<string> {
  let text = '';
  await expect(async () => {
    const all: any[] = await (await fetch(`${MAIL_API}/email`)).json();
    const mine = all.filter((m) => (m.to ?? []).some((a: any) => a.address === to));
    expect(mine.length).toBeGreaterThan(0);
    text = mine[mine.length - 1].text;
  }).toPass({ timeout: 15_000 });
  return text;
}

async function freshPage(browser: Browser, js: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: js });
  return context.newPage();
}

// An administrator invites a new member by e-mail; the member accepts from the link in the
// e-mail, sees only what their role allows, and signs out their other session from the profile.
test('an invited member joins from the e-mail and signs out their other sessions @nojs', async ({ page, browser, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const email = `new.member.${Date.now().toString(36)}${js ? 'js' : 'nojs'}@harborvale.test`;

  await signIn(page, 'admin@harborvale.test', js);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  await expect(page.getByRole('heading', { name: 'People', level: 1 })).toBeVisible();
  await hydrated(page, js);
  await page.getByLabel('Email *').fill(email);
  await page.getByLabel('Role *').selectOption('staff');
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Open invitations' })).toContainText(email);

  // The invitation, from the e-mail.
  const text = await mailTo(email);
  const link = text.match(/https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/)?.[0];
  expect(link, text).toBeTruthy();
  const member = await freshPage(browser, js);
  await member.goto(link!);
  await expect(member.getByRole('heading', { name: 'Join Harbor & Vale LLP on Docket' })).toBeVisible();
  await hydrated(member, js);
  await member.getByLabel('Your name').fill('Nia Newcomer');
  await member.getByLabel('Choose a password').fill('a long new password');
  await member.getByLabel('Password again').fill('a long new password');
  await member.getByRole('button', { name: 'Create account and join' }).click();
  await expect(member.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  await expect(member.getByTestId('active-firm')).toHaveText('Harbor & Vale LLP');
  // Staff: no invoices, people or settings.
  const nav = member.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Matters' })).toBeVisible();
  for (const hidden of ['Invoices', 'People', 'Settings', 'Activity']) {
    await expect(nav.getByRole('link', { name: hidden })).toHaveCount(0);
  }
  // The link worked once.
  const again = await freshPage(browser, js);
  await again.goto(link!);
  await expect(again.getByText('This invitation was already accepted')).toBeVisible();

  // A second session of the new member, elsewhere…
  const other = await freshPage(browser, js);
  await other.goto('/login');
  await hydrated(other, js);
  await other.getByLabel('Email').fill(email);
  await other.getByLabel('Password').fill('a long new password');
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();

  // …is listed on the profile, and signed out from there.
  await hydrated(member, js);
  await member.getByRole('link', { name: 'Nia Newcomer' }).click();
  await expect(member.getByRole('heading', { name: 'Your profile' })).toBeVisible();
  await hydrated(member, js);
  const sessions = member.getByRole('table', { name: 'Your open sessions' });
  await expect(sessions.getByRole('row')).toHaveCount(3);
  await expect(sessions).toContainText('This session');
  await member.getByRole('button', { name: 'Sign out other sessions' }).click();
  if (js) await expect(member.getByRole('status')).toHaveText('Signed out 1 other session.');
  await expect(member.getByRole('table', { name: 'Your open sessions' }).getByRole('row')).toHaveCount(2);
  await other.reload();
  await expect(other.getByRole('heading', { name: 'Sign in to Docket' })).toBeVisible();
  // The member's own session goes on.
  await member.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Matters' }).click();
  await expect(member.getByRole('heading', { name: 'Matters', level: 1 })).toBeVisible();

  expect(errors, 'page errors').toEqual([]);
});
