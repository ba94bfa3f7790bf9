// getRules and setRules: the Rules view reads the rules in force (with the file's path and why the
// last reload was refused, if it was) and saves new ones, which are checked, written and in force at once.
import type { Engine } from '../engine.js';
import { explainRule } from '../rules/rule-explain.js';
import type { ControlCommands, RulesState } from './api-types.js';
import type { Rule } from '../rules/rule-types.js';

const withWords = (state: { path: string | null; rules: Rule[]; error?: string }): RulesState => ({ ...state, explained: state.rules.map(explainRule) });

type RulesHandlers = {
  [M in 'getRules' | 'setRules']: (params: ControlCommands[M]['params']) => ControlCommands[M]['result'];
};

export function rulesCommands(engine: Engine): RulesHandlers {
  return {
    getRules: () => withWords(engine.rulesFile?.status() ?? { path: null, rules: engine.proxy.rules.rules() }),
    setRules: ({ rules }) => {
      if (!engine.rulesFile) throw new Error('this engine was started without a rules file (framescope proxy --rules FILE)');
      return withWords(engine.rulesFile.save({ rules }));
    },
  };
}
