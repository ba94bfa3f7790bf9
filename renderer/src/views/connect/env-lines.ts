// The interception variables as lines to paste into a shell: bash/zsh, fish and PowerShell, each
// value quoted so the shell takes it literally.

export type ShellDialect = 'bash' | 'fish' | 'powershell';

export const SHELL_DIALECTS: { id: ShellDialect; label: string }[] = [
  { id: 'bash', label: 'bash / zsh' },
  { id: 'fish', label: 'fish' },
  { id: 'powershell', label: 'PowerShell' },
];

/** One line per variable, in the given order. */
export function envLines(variables: readonly { name: string; value: string }[], dialect: ShellDialect): string {
  return variables.map(({ name, value }) => {
    switch (dialect) {
      case 'bash': return `export ${name}='${value.replace(/'/g, `'\\''`)}'`;
      case 'fish': return `set -gx ${name} '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      case 'powershell': return `$env:${name} = '${value.replace(/'/g, "''")}'`;
    }
  }).join('\n');
}
