import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TIMELINE_EVENTS } from '@dda/domain';

/*
 * Every event the writers may put on a timeline (the catalogue in packages/domain/src/timeline-events.ts)
 * has its own rendering on the history page: an event added to the catalogue without one fails here,
 * instead of reaching the page as a raw name.
 */
const page = readFileSync(new URL('../public/history.js', import.meta.url), 'utf8');
const rendered = new Set([...page.matchAll(/case '([a-z_.]+)':/g)].map((m) => m[1]));

describe('the history page and the timeline catalogue', () => {
  it.each(Object.keys(TIMELINE_EVENTS))('renders %s', (event) => {
    expect(rendered.has(event)).toBe(true);
  });

  it('shows the words of a question the VP asked', () => {
    expect(page).toMatch(/case 'vp\.question':\s*return \['VP asked', '', t\.question\]/);
  });
});
