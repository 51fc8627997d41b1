/** Applies comma-list edits (`edit-list` actions) to a pref's current value, in the order they were asked. */
import type { EditListAction } from '../rules/types.js';

export function splitList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a pref value is a string or a number (XML)
  return String(value)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export function applyListEdits(current: readonly string[], edits: readonly EditListAction[]): string[] {
  let list = [...current];
  for (const edit of edits) {
    const removed = new Set((edit.remove ?? []).map((entry) => entry.trim()));
    list = list.filter((entry) => !removed.has(entry));
    for (const { from, to } of edit.replace ?? [])
      list = list.map((entry) => (entry === from.trim() ? to.trim() : entry));
    for (const entry of edit.add ?? []) if (!list.includes(entry.trim())) list.push(entry.trim());
  }
  return [...new Set(list)];
}
