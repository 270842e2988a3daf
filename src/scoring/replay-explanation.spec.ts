import { describe, expect, it } from '@jest/globals';
import { replayExplanation } from './scoring.service.js';

describe(replayExplanation.name, () => {
  it('should tell an engine change from a reproducibility failure', () => {
    expect(replayExplanation('1.2.0', '1.2.0', 'default@1.1.0+aaa', [])).toBe(
      'Reproduced byte for byte on engine 1.2.0 under policy default@1.1.0+aaa.',
    );
    expect(replayExplanation('1.1.0', '1.2.0', 'default@1.1.0+aaa', ['engineVersion', 'income', 'limit'])).toBe(
      "Decided on engine 1.1.0, replayed on engine 1.2.0 under the stored policy default@1.1.0+aaa: income, limit differ because the engine's method changed between those versions (docs/scoring.md), not because the stored input or policy changed; engine 1.1.0 reproduces the stored result.",
    );
    expect(replayExplanation('1.2.0', '1.2.0', 'p', ['limit'])).toMatch(/^Not reproduced on the same engine 1\.2\.0: limit differ/);
  });
});
