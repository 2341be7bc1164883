import type { HomeView, KnownBlock, ModalView } from '@slack/types';

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

interface AnyElement {
  type?: string;
  action_id?: string;
  value?: string;
  text?: { text?: string };
  options?: { text: { text: string }; value: string }[];
}

/** The interactive element with this action id, wherever it sits in the blocks (as Slack received them). */
export function elementWithAction(blocks: unknown, actionId: string): AnyElement | undefined {
  const elements: AnyElement[] = [];
  elementsOf(blocks, elements);
  return elements.find((element) => element.action_id === actionId);
}

function elementsOf(value: unknown, found: AnyElement[]): void {
  if (Array.isArray(value)) {
    for (const item of value) elementsOf(item, found);
  } else if (value && typeof value === 'object') {
    const element = value as AnyElement;
    if (typeof element.action_id === 'string') found.push(element);
    for (const inner of Object.values(value)) elementsOf(inner, found);
  }
}

/** Interactive elements: required fields present, option menus within Slack's sizes. */
function assertElements(blocks: unknown): void {
  const elements: AnyElement[] = [];
  elementsOf(blocks, elements);
  for (const element of elements) {
    expect(element.type).toBeTruthy();
    if (element.type === 'button') {
      expect(element.text?.text?.length ?? 0).toBeGreaterThan(0);
      expect(element.text?.text?.length ?? 0).toBeLessThanOrEqual(75);
    }
    if (element.type === 'overflow') {
      expect(element.options?.length ?? 0).toBeGreaterThanOrEqual(1);
      expect(element.options?.length ?? 0).toBeLessThanOrEqual(5);
    }
    for (const option of element.options ?? []) {
      expect(option.text.text.length).toBeLessThanOrEqual(75);
      expect(option.value.length).toBeLessThanOrEqual(150);
    }
  }
}

/** A modal Slack's views.open would accept: title, blocks, inputs and metadata within limits. */
export function assertModalWithinLimits(view: ModalView): void {
  assertWithinBlockKitLimits(view.blocks as KnownBlock[], LIMITS.viewBlocks);
  expect(view.title.text.length).toBeLessThanOrEqual(24);
  expect(view.submit?.text.length ?? 0).toBeLessThanOrEqual(24);
  expect(view.close?.text.length ?? 0).toBeLessThanOrEqual(24);
  expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(3000);
  expect((view.callback_id ?? '').length).toBeLessThanOrEqual(255);
  const blockIds = view.blocks.map((block) => block.block_id).filter(Boolean);
  expect(new Set(blockIds).size).toBe(blockIds.length);
  for (const block of view.blocks as KnownBlock[]) {
    if (block.type === 'input') {
      expect(block.label.text.length).toBeGreaterThan(0);
      expect(block.label.text.length).toBeLessThanOrEqual(2000);
      expect(block.hint?.text.length ?? 0).toBeLessThanOrEqual(2000);
      expect(block.element.action_id).toBeTruthy();
    }
  }
  assertElements(view.blocks);
}

/** A home tab views.publish would accept. */
export function assertHomeWithinLimits(view: HomeView): void {
  expect(view.type).toBe('home');
  assertWithinBlockKitLimits(view.blocks as KnownBlock[], LIMITS.viewBlocks);
  assertElements(view.blocks);
}

/** A message chat.postMessage would accept. */
export function assertMessageWithinLimits(blocks: KnownBlock[]): void {
  assertWithinBlockKitLimits(blocks);
  assertElements(blocks);
}
