/** Renders Block Kit as plain text for the terminal playground: enough to read, not a replica. */
interface LooseBlock {
  type?: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: { type?: string; text?: string | { text?: string } }[];
}

function elementText(element: { type?: string; text?: string | { text?: string } }): string {
  const text = typeof element.text === 'string' ? element.text : (element.text?.text ?? '');
  return element.type === 'button' ? `[${text}]` : text;
}

export function renderMessage(body: Record<string, unknown>): string {
  const blocks = Array.isArray(body.blocks) ? (body.blocks as LooseBlock[]) : [];
  if (blocks.length === 0) return String(body.text ?? '');
  const lines: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header':
        lines.push(`== ${block.text?.text ?? ''} ==`);
        break;
      case 'section':
        if (block.text?.text) lines.push(block.text.text);
        for (const field of block.fields ?? []) lines.push(`  ${field.text ?? ''}`);
        break;
      case 'context':
        lines.push(`  ${(block.elements ?? []).map(elementText).join('  ')}`);
        break;
      case 'actions':
        lines.push((block.elements ?? []).map(elementText).join(' '));
        break;
      case 'divider':
        lines.push('---');
        break;
      default:
        break;
    }
  }
  return lines.join('\n');
}
