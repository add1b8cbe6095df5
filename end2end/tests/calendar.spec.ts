import { test, expect } from '@playwright/test';
import { hydrated, signIn, unique } from './helpers';

function isoDay(offset: number) {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return d.toISOString().slice(0, 10);
}

// On a matter, an attorney schedules a hearing and a deadline computed from a rule, and adds
// and completes a task; the hearing is on their week, and in their calendar feed.
test('a hearing and a computed deadline reach the week view and the feed; a task is completed @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'attorney@harborvale.test', js);

  await page.goto('/matters?status=open');
  await hydrated(page, js);
  await page.locator('table a[href^="/matters/"]').nth(2).click();
  await expect(page.getByRole('heading', { name: 'Calendar and tasks' })).toBeVisible();
  await hydrated(page, js);

  const hearing = unique('Motion hearing');
  const day = isoDay(8);
  const event = page.getByRole('region', { name: 'New event' });
  await event.getByLabel('Kind *').selectOption({ label: 'Hearing' });
  await event.getByLabel('Title *').fill(hearing);
  await event.getByLabel('Date *').fill(day);
  await event.getByLabel('Starts at').fill('09:30');
  await event.getByLabel('Location').fill('Courtroom 4B');
  await expect(event.getByLabel('Priya Raman')).toBeChecked();
  await event.getByRole('button', { name: 'Add event' }).click();
  const calendar = page.getByRole('region', { name: 'Calendar and tasks' });
  await expect(calendar.getByRole('listitem').filter({ hasText: hearing })).toContainText(`${day} 09:30`);
  await hydrated(page, js);

  const deadline = page.getByRole('region', { name: 'Add deadline' });
  await deadline.getByLabel('Trigger date *').fill(isoDay(1));
  await deadline.getByLabel('Rule *').selectOption({ label: 'Answer to complaint (FRCP 12(a)(1)(A)(i)): 21 calendar days after' });
  await deadline.getByRole('button', { name: 'Add deadline' }).click();
  const computed = calendar.getByRole('listitem').filter({ hasText: 'Answer to complaint (FRCP 12(a)(1)(A)(i))' }).first();
  await expect(computed).toContainText('Deadline');
  await computed.getByText(/^How .* was computed$/).click();
  await expect(computed).toContainText('is not counted');
  await hydrated(page, js);

  const task = unique('Send the engagement letter');
  const tasks = page.getByRole('region', { name: 'New task' });
  await tasks.getByLabel('Task *').fill(task);
  await tasks.getByLabel('Assignee').selectOption({ label: 'Priya Raman' });
  await tasks.getByLabel('Due date').fill(isoDay(-3));
  await tasks.getByRole('button', { name: 'Add task' }).click();
  const line = calendar.getByRole('listitem').filter({ hasText: task });
  await expect(line).toContainText('Overdue');
  await hydrated(page, js);
  await line.getByRole('button', { name: `Complete “${task}”` }).click();
  await expect(calendar.getByRole('listitem').filter({ hasText: task })).toContainText('Done');

  // The week of the hearing, on my calendar.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Calendar', level: 1 })).toBeVisible();
  await hydrated(page, js);
  await page.getByLabel('View').selectOption('week');
  await page.getByLabel('Day').fill(day);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: hearing }).first()).toContainText('09:30');
  await hydrated(page, js);

  // The feed: made once, then copied; it carries the hearing.
  const feed = page.getByRole('region', { name: 'Calendar feed' });
  if (await feed.getByRole('button', { name: 'Make my calendar feed URL' }).count()) {
    await feed.getByRole('button', { name: 'Make my calendar feed URL' }).click();
  }
  await expect(feed.getByRole('button', { name: 'Copy my calendar feed URL' })).toBeVisible();
  const url = await feed.getByLabel('Calendar feed URL').inputValue();
  const res = await page.request.get(new URL(url).pathname);
  expect(res.status()).toBe(200);
  const ics = await res.text();
  expect(ics).toContain('BEGIN:VCALENDAR');
  expect(ics.replace(/\r\n /g, '')).toContain(hearing);
  expect(errors).toEqual([]);
});

// A meeting is moved to another time, then cancelled: each from the event's own form on the
// matter's calendar card.
test('an event is rescheduled and cancelled on its matter @nojs', async ({ page, javaScriptEnabled }) => {
  const js = javaScriptEnabled;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'attorney@harborvale.test', js);
  await page.goto('/matters?status=open');
  await hydrated(page, js);
  await page.locator('table a[href^="/matters/"]').nth(3).click();
  await expect(page.getByRole('heading', { name: 'Calendar and tasks' })).toBeVisible();
  await hydrated(page, js);

  const meeting = unique('Client meeting');
  const day = isoDay(9);
  const event = page.getByRole('region', { name: 'New event' });
  await event.getByLabel('Kind *').selectOption({ label: 'Meeting' });
  await event.getByLabel('Title *').fill(meeting);
  await event.getByLabel('Date *').fill(day);
  await event.getByLabel('Starts at').fill('11:00');
  await event.getByRole('button', { name: 'Add event' }).click();
  const calendar = page.getByRole('region', { name: 'Calendar and tasks' });
  const line = calendar.getByRole('listitem').filter({ hasText: meeting });
  await expect(line).toContainText(`${day} 11:00`);
  await hydrated(page, js);

  const title = `“${meeting}” of ${day}`;
  await line.getByText(`Change ${title}`).click();
  const form = line.getByRole('form', { name: `Change ${title}` });
  await form.getByLabel('Starts at').fill('15:30');
  await form.getByLabel('Location').fill('Conference room B');
  await form.getByRole('button', { name: 'Save event' }).click();
  const moved = calendar.getByRole('listitem').filter({ hasText: meeting });
  await expect(moved).toContainText(`${day} 15:30`);
  await expect(moved).toContainText('Conference room B');
  await hydrated(page, js);

  // (Hydrated, the list is drawn again in place and the event's details may still be open.)
  const cancel = moved.getByRole('button', { name: `Cancel event ${title}` });
  if (!(await cancel.isVisible())) await moved.getByText(`Change ${title}`).click();
  await cancel.click();
  await expect(calendar.getByRole('listitem').filter({ hasText: meeting })).toHaveCount(0);
  expect(errors).toEqual([]);
});
