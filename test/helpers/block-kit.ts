import type { KnownBlock } from '@slack/types';

/** Block Kit's documented limits that matter for the views we build. */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  actionId: 255,
};

function collectActionIds(value: unknown, found: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectActionIds(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'action_id' && typeof inner === 'string') found.push(inner);
      else collectActionIds(inner, found);
    }
  }
}

/** Throws (via expect) when blocks break a limit Slack would reject with invalid_blocks. */
export function assertWithinBlockKitLimits(blocks: KnownBlock[], maxBlocks = LIMITS.messageBlocks): void {
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(maxBlocks);
  for (const block of blocks) {
    if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.headerText);
    if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(LIMITS.contextElements);
  }
  const actionIds: string[] = [];
  collectActionIds(blocks, actionIds);
  expect(new Set(actionIds).size).toBe(actionIds.length);
  for (const id of actionIds) expect(id.length).toBeLessThanOrEqual(LIMITS.actionId);
}
