// A rules file on disk, kept in step with the rules engine: loaded at start (an invalid file is
// refused), reloaded when it changes (an invalid change keeps the rules in force and is reported),
// and written atomically with mode 0600 when the Rules view saves.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { RuleEngine } from './rule-engine.js';
import type { Rule } from './rule-types.js';
import { parseRulesText, validateRules, RulesError } from './rules-validation.js';

export interface RulesFileStatus {
  /** The file's path. */
  path: string;
  /** The rules in force. */
  rules: Rule[];
  /** Why the last reload was refused (the rules in force are the earlier ones); absent when it loaded. */
  error?: string;
}

export class RulesFile {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastText: string | null = null;
  private error: string | undefined;

  constructor(
    readonly path: string,
    private readonly engine: RuleEngine,
    /** Told when a reload is refused (the engine's error log, the CLI's stderr). */
    private readonly onError: (message: string) => void = () => {},
    /** Told when status() changed: rules put in force (loaded, reloaded, saved) or a reload refused. */
    private readonly onChanged: () => void = () => {},
  ) {}

  /** Loads the file; a missing file is no rules when allowMissing, an invalid one throws RulesError. */
  load(allowMissing: boolean): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && allowMissing) {
        this.apply('', []);
        return;
      }
      throw new RulesError(undefined, 'file', `cannot read ${this.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    this.apply(text, parseRulesText(text));
  }

  /** Reloads whenever the file changes (written in place or replaced by a rename). */
  watch(): void {
    if (this.watcher) return;
    const name = basename(this.path);
    // The directory is watched: editors often replace a file, which ends a watch on the file itself.
    this.watcher = watch(dirname(this.path), (_event, file) => {
      if (file !== null && file !== name) return;
      if (this.timer) clearTimeout(this.timer);
      // Writes come in bursts; the file is read once they settle.
      this.timer = setTimeout(() => this.reload(), 50);
    });
    this.watcher.on('error', (error) => this.onError(`stopped watching ${this.path}: ${error.message}`));
  }

  status(): RulesFileStatus {
    return { path: this.path, rules: this.engine.rules(), ...(this.error ? { error: this.error } : {}) };
  }

  /** Validates and writes new rules (atomically, mode 0600), then puts them in force. Throws RulesError. */
  save(json: unknown): RulesFileStatus {
    const rules = validateRules(json);
    const text = `${JSON.stringify({ rules }, null, 2)}\n`;
    const temporary = `${this.path}.${process.pid}.tmp`;
    rmSync(temporary, { force: true });
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    this.apply(text, rules);
    return this.status();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearTimeout(this.timer);
  }

  private reload(): void {
    this.timer = null;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      // Removed or unreadable: the rules in force stay until a readable file comes back.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.refuse(`cannot read ${this.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return;
    }
    if (text === this.lastText) return;
    try {
      this.apply(text, parseRulesText(text));
    } catch (error) {
      this.lastText = text;
      this.refuse((error as Error).message);
    }
  }

  private apply(text: string, rules: Rule[]): void {
    this.engine.setRules(rules);
    this.lastText = text;
    this.error = undefined;
    this.onChanged();
  }

  private refuse(problem: string): void {
    this.error = `the rules file ${this.path} was not reloaded, the earlier rules stay in force: ${problem}`;
    this.onError(this.error);
    this.onChanged();
  }
}
