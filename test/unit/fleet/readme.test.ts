// The README's broker configuration for a fleet (issue 15) is the text the fleet tests run: the
// line broker's bridge, the agents' ACL lines and the plant's lines for a bridge, word for word.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fleetAcl, lineBridgeConfig, plantAcl } from '../../helpers/fleet-broker-config.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
/** The text of each of the README's fenced blocks, as written. */
function fencedBlocks(markdown: string): string[] {
  const found: string[] = [];
  let open: string[] | null = null;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      if (open === null) open = [];
      else {
        found.push(open.join('\n'));
        open = null;
      }
    } else open?.push(line);
  }
  return found;
}

const blocks = fencedBlocks(README);

describe('README, Fleet learning', () => {
  it("shows the bridge section the tests run, and the login lines they add", () => {
    expect(blocks).toContain(lineBridgeConfig('line1', 'plant-broker:1883'));
    const login = lineBridgeConfig('line1', 'plant-broker:1883', { password: '<the bridge\'s password>' }).replace(lineBridgeConfig('line1', 'plant-broker:1883'), '').trim();
    expect(blocks).toContain(login);
  });

  it('shows the ACL lines the tests enforce', () => {
    expect(blocks).toContain(fleetAcl('press-fleet'));
    expect(blocks).toContain(plantAcl('press-fleet', 'line1'));
  });
});
